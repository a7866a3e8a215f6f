# host_launches.cmake: rewrites one .cu file's kernel launches for the host
# emulation (tests/emu/cuda_runtime.h):
#   name<targs><<<grid, block, shmem, stream>>>(args)
#   -> ssrl_emu_launch(ssrl_emu_config{grid, block, shmem, stream}, name<targs>, args)
# Usage: cmake -DIN=kernels/x.cu -DOUT=emu_x.cpp -P host_launches.cmake
# A launch this pattern cannot read stops the build rather than go unemulated.
file(READ "${IN}" src)
string(REGEX REPLACE
  "([A-Za-z_][A-Za-z0-9_]*(<[^;{}]*>)?)<<<([^;]*)>>>\\("
  "ssrl_emu_launch(ssrl_emu_config{\\3}, \\1, "
  src "${src}")
string(FIND "${src}" "<<<" left)
if(NOT left EQUAL -1)
  message(FATAL_ERROR "host_launches.cmake: a launch in ${IN} was not rewritten")
endif()
file(WRITE "${OUT}" "/* generated from ${IN} by tests/emu/host_launches.cmake */\n${src}")
