# Precompiled headers for the tree's own targets (-DEBPROP_PRECOMPILE_HEADERS=OFF to build without).
#
# Eigen's headers alone cost 2.5 to 5 seconds in every translation unit; the engine, its plugins,
# its tools and its tests include them ~150 times. Each group below parses them once.
#
# A compiler uses a precompiled header only with the flags it was made with (-fPIC against -fPIE,
# -fvisibility, -fopenmp, the sanitizers) and, for GCC, with every macro it was made with still
# defined, so each group holds targets compiled alike:
#   library  the engine (shared) and the tools' common code (static), both -fPIC;
#   plugin   the in-tree plugins (-fPIC, hidden visibility);
#   tool     the tools (-fPIE, Boost.Program_options' macros);
#   test     the tests (-fPIE, Boost.Test's macros and the tree's paths).
# A macro that one source alone uses goes on that source, not on its target.
# The first target of a group makes the header; the others reuse it. The fuzz targets, the planted
# bugs and the test plugins are few and are compiled without. The list holds only third-party and
# standard headers: a header of the project still rebuilds what includes it, as without.
# Boost.Test is not in it: every test defines BOOST_TEST_MODULE before including it.
option(EBPROP_PRECOMPILE_HEADERS "Precompile Eigen's, Boost's and the standard headers" ON)

set(ebprop_precompiled_headers
  <Eigen/Dense> <boost/filesystem.hpp>
  <algorithm> <chrono> <cmath> <cstddef> <cstdint> <cstdio> <cstdlib> <cstring> <fstream>
  <functional> <iomanip> <iostream> <limits> <map> <memory> <optional> <set> <sstream>
  <stdexcept> <string> <utility> <vector>)

# ebprop_precompile(<target> <group>)
#   requires: <target> is one of the tree's targets, compiled like the others of <group>
#   ensures:  <target> is compiled with <group>'s precompiled header, made by the group's first
#             target; does nothing when EBPROP_PRECOMPILE_HEADERS is off
function(ebprop_precompile target group)
  if(NOT EBPROP_PRECOMPILE_HEADERS)
    return()
  endif()
  # CMake defines <target>_EXPORTS in a shared library's sources, which would differ between the
  # targets of a group; the tree does not use it.
  set_target_properties(${target} PROPERTIES DEFINE_SYMBOL "")
  get_property(owner GLOBAL PROPERTY EBPROP_PRECOMPILED_${group})
  if(owner)
    target_precompile_headers(${target} REUSE_FROM ${owner})
  else()
    target_precompile_headers(${target} PRIVATE ${ebprop_precompiled_headers})
    set_property(GLOBAL PROPERTY EBPROP_PRECOMPILED_${group} ${target})
  endif()
endfunction()
