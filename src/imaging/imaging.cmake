# The imaging module: everything that uses libvips, built as a shared object that the binary
# carries inside it and loads at the first image (providers/media/imaging.*). nc_imaging, the
# same code as a static library, is what tests link to call it directly.
set(NC_IMAGING_DIR ${CMAKE_CURRENT_LIST_DIR})
file(GLOB NC_IMAGING_SOURCES CONFIGURE_DEPENDS ${NC_IMAGING_DIR}/*.cpp)
list(REMOVE_ITEM NC_IMAGING_SOURCES ${NC_IMAGING_DIR}/module.cpp)
# The few plain helpers the renderer needs are compiled in again rather than linking layers
# that would drag the whole service into the module.
add_library(nc_imaging STATIC ${NC_IMAGING_SOURCES}
            ${PROJECT_SOURCE_DIR}/src/providers/media/process.cpp
            ${PROJECT_SOURCE_DIR}/src/providers/media/probe.cpp
            ${PROJECT_SOURCE_DIR}/src/providers/media/mood.cpp
            ${PROJECT_SOURCE_DIR}/src/core/scratch_dir.cpp)
set_target_properties(nc_imaging PROPERTIES POSITION_INDEPENDENT_CODE ON)
target_include_directories(nc_imaging PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(nc_imaging PUBLIC PkgConfig::VIPS OpenSSL::Crypto nlohmann_json::nlohmann_json fmt::fmt
                      Threads::Threads)

add_library(nc_imaging_module MODULE ${NC_IMAGING_DIR}/module.cpp)
target_link_libraries(nc_imaging_module PRIVATE nc_imaging)
set(NC_IMAGING_MODULE_PATH ${PROJECT_BINARY_DIR}/modules/neurocards-imaging.so)
set_target_properties(nc_imaging_module PROPERTIES
  LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/modules
  OUTPUT_NAME neurocards-imaging PREFIX "" SUFFIX ".so"
  CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
# Only nc_imaging_api is exported; the module's references bind to its own code.
target_link_options(nc_imaging_module PRIVATE -Wl,--exclude-libs,ALL -Wl,-Bsymbolic -Wl,-z,defs)

set(NC_IMAGING_BLOB ${PROJECT_SOURCE_DIR}/src/providers/media/imaging_module.S)
target_sources(nc_providers PRIVATE ${NC_IMAGING_BLOB})
set_source_files_properties(${NC_IMAGING_BLOB} PROPERTIES
  COMPILE_DEFINITIONS "NC_IMAGING_MODULE=\"${NC_IMAGING_MODULE_PATH}\""
  OBJECT_DEPENDS ${NC_IMAGING_MODULE_PATH})
add_dependencies(nc_providers nc_imaging_module)
