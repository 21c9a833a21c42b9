# ebprop_add_plugin(<name> <source>...)
#
# Builds an ebprop plugin: a shared library loaded at run time (Boost.DLL), linked to the engine
# library, with the project's warnings. In the ebprop tree it lands in the build's plugin
# directory and is installed with the others; outside, it lands in the current binary directory:
# load it with `ebprop-run --plugin-path <that directory>` or EBPROP_PLUGIN_PATH.
#
# The warning options are the project's (ebprop_flags in the top CMakeLists.txt), in and out of
# the tree: -Wall -Wextra, and with GCC -Wno-maybe-uninitialized, because GCC 12 reports a false
# "may be used uninitialized" inside Eigen's AVX-512 kernels whenever -march=native (which the
# engine's target passes on, for Eigen's alignment) enables AVX-512.
function(ebprop_add_plugin name)
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE ebprop::ebprop)
  target_compile_features(${name} PRIVATE cxx_std_17)
  target_compile_options(${name} PRIVATE -Wall -Wextra
                                         $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
  set_target_properties(${name} PROPERTIES CXX_VISIBILITY_PRESET hidden)
  if(TARGET ebprop_flags)  # building inside the ebprop tree
    target_link_libraries(${name} PRIVATE ebprop_flags)
    # Installed in lib/ebprop/plugins: the engine library is two directories up.
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${EBPROP_PLUGIN_OUTPUT_DIR}
                                             INSTALL_RPATH "$ORIGIN/../..")
    install(TARGETS ${name} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/${EBPROP_PLUGIN_SUBDIR})
    set_property(GLOBAL APPEND PROPERTY EBPROP_PLUGIN_TARGETS ${name})
    ebprop_precompile(${name} plugin)
  else()
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  endif()
endfunction()
