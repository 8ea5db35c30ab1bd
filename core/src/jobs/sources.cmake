list(APPEND ORFEAS_AREA_SOURCES
  src/jobs/pipeline.cpp
  src/jobs/job_queue.cpp
  src/jobs/batch.cpp
  src/jobs/backends.cpp
)
