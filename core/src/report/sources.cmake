list(APPEND ORFEAS_AREA_SOURCES
  src/report/report.cpp
  src/report/batch_report.cpp
  src/report/report_merge.cpp
  src/report/gpu_monitor.cpp
)
