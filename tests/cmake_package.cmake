# Installs the library into a scratch prefix, then configures, builds and runs
# examples/ against it through find_package(ssrl_ecg): the CMake package works.
# cmake -DBUILD_DIR=... -DSOURCE_DIR=... -P cmake_package.cmake
set(prefix "${BUILD_DIR}/package-test/prefix")
set(example "${BUILD_DIR}/package-test/example")
file(REMOVE_RECURSE "${BUILD_DIR}/package-test")
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  message("${out}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
endfunction()
run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
run(${CMAKE_COMMAND} -S "${SOURCE_DIR}/examples" -B "${example}" "-DCMAKE_PREFIX_PATH=${prefix}")
run(${CMAKE_COMMAND} --build "${example}")
run("${example}/mask_and_score")
