list(APPEND ORFEAS_AREA_SOURCES
  src/image/image_format.cpp
  src/image/image_io.cpp
  src/image/png_codec.cpp
  src/image/jpeg_decode.cpp
  src/image/stb_webp_decode.cpp
  src/image/resize.cpp
  src/image/mask_ops.cpp
  src/image/background_removal.cpp
  src/image/preprocess.cpp
)
# Bit-exact parity with OpenCV and NumPy needs every float product rounded on its own: no fused multiply-add.
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  set_source_files_properties(src/image/resize.cpp src/image/preprocess.cpp
    PROPERTIES COMPILE_OPTIONS "-ffp-contract=off")
endif()
