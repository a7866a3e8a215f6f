# find_package(ssrl_ecg_torch_ops) -> the imported target ssrl_ecg::torch_ops: the
# torch op library of this ssrl_ecg package (docs/semantics.md section 10.1).
#
#   find_package(Torch REQUIRED)
#   find_package(ssrl_ecg_torch_ops REQUIRED)
#   target_link_libraries(app PRIVATE ${TORCH_LIBRARIES} ssrl_ecg::torch_ops)
#
# with CMAKE_PREFIX_PATH holding ssrl_ecg.cmake_prefix_path (this folder). The
# program calls nothing in the library: it registers the ops from its static
# initializers. So it is linked with --no-as-needed (a linker that drops unused
# libraries would drop it) and found at run time through the build RPATH CMake
# writes for it. -DSSRL_ECG_OPS_LIBRARY=path picks another build of it (a
# development build tree).
if(NOT SSRL_ECG_OPS_LIBRARY)
  file(GLOB _ssrl_ops "${CMAKE_CURRENT_LIST_DIR}/../_ssrl_ecg_ops*.so")
  list(GET _ssrl_ops 0 SSRL_ECG_OPS_LIBRARY)
endif()
if(NOT EXISTS "${SSRL_ECG_OPS_LIBRARY}")
  set(ssrl_ecg_torch_ops_FOUND FALSE)
  set(ssrl_ecg_torch_ops_NOT_FOUND_MESSAGE
      "no _ssrl_ecg_ops*.so beside ${CMAKE_CURRENT_LIST_DIR} (pip install ssrl_ecg, or set SSRL_ECG_OPS_LIBRARY)")
  return()
endif()
get_filename_component(SSRL_ECG_OPS_LIBRARY "${SSRL_ECG_OPS_LIBRARY}" REALPATH)
if(NOT TARGET ssrl_ecg::torch_ops)
  add_library(ssrl_ecg::torch_ops SHARED IMPORTED)
  set_target_properties(ssrl_ecg::torch_ops PROPERTIES
      IMPORTED_LOCATION "${SSRL_ECG_OPS_LIBRARY}"
      INTERFACE_LINK_OPTIONS "LINKER:--no-as-needed")
endif()
set(ssrl_ecg_torch_ops_FOUND TRUE)
