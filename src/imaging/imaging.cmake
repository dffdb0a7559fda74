# Image work in two parts. nc_imaging is the service the process builds and passes down
# (imaging.hpp): the declarations and a loader. The libvips code in vips/ is built as a shared
# object that the binary carries inside it (imaging_module.S) and loads at the first image;
# nc_imaging_vips, the same code as a static library, is what tests link to call it directly.
set(NC_IMAGING_DIR ${CMAKE_CURRENT_LIST_DIR})
add_library(nc_imaging STATIC ${NC_IMAGING_DIR}/imaging.cpp ${NC_IMAGING_DIR}/imaging_module.S)
target_include_directories(nc_imaging PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(nc_imaging PUBLIC nc_media ${CMAKE_DL_LIBS})

file(GLOB NC_IMAGING_VIPS_SOURCES CONFIGURE_DEPENDS ${NC_IMAGING_DIR}/vips/*.cpp)
list(REMOVE_ITEM NC_IMAGING_VIPS_SOURCES ${NC_IMAGING_DIR}/vips/module.cpp)
# The few plain helpers the renderer needs are compiled in again rather than linking layers
# that would drag more of the service into the module.
add_library(nc_imaging_vips STATIC ${NC_IMAGING_VIPS_SOURCES}
            ${PROJECT_SOURCE_DIR}/src/media/process.cpp
            ${PROJECT_SOURCE_DIR}/src/media/probe.cpp
            ${PROJECT_SOURCE_DIR}/src/media/mood.cpp
            ${PROJECT_SOURCE_DIR}/src/core/scratch_dir.cpp)
set_target_properties(nc_imaging_vips PROPERTIES POSITION_INDEPENDENT_CODE ON)
target_include_directories(nc_imaging_vips PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(nc_imaging_vips PUBLIC PkgConfig::VIPS OpenSSL::Crypto
                      nlohmann_json::nlohmann_json fmt::fmt Threads::Threads)

add_library(nc_imaging_module MODULE ${NC_IMAGING_DIR}/vips/module.cpp)
target_link_libraries(nc_imaging_module PRIVATE nc_imaging_vips)
set(NC_IMAGING_MODULE_PATH ${PROJECT_BINARY_DIR}/modules/neurocards-imaging.so)
set_target_properties(nc_imaging_module PROPERTIES
  LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/modules
  OUTPUT_NAME neurocards-imaging PREFIX "" SUFFIX ".so"
  CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
# Only nc_imaging_api is exported; the module's references bind to its own code.
target_link_options(nc_imaging_module PRIVATE -Wl,--exclude-libs,ALL -Wl,-Bsymbolic -Wl,-z,defs)

set_source_files_properties(${NC_IMAGING_DIR}/imaging_module.S PROPERTIES
  COMPILE_DEFINITIONS "NC_IMAGING_MODULE=\"${NC_IMAGING_MODULE_PATH}\""
  OBJECT_DEPENDS ${NC_IMAGING_MODULE_PATH})
add_dependencies(nc_imaging nc_imaging_module)
