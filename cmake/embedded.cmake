# Build-time generated sources: the build id (regenerated on every build so a binary always
# says which commit it was built from) and the SQL migrations embedded into the binary.
set(NC_GENERATED_DIR ${PROJECT_BINARY_DIR}/generated)

add_custom_target(nc_build_info_gen
  COMMAND ${CMAKE_COMMAND} -DOUT=${NC_GENERATED_DIR}/build_info.cpp
          -DSRC=${PROJECT_SOURCE_DIR} -DVERSION=${PROJECT_VERSION}
          -P ${PROJECT_SOURCE_DIR}/cmake/write_build_info.cmake
  BYPRODUCTS ${NC_GENERATED_DIR}/build_info.cpp
  COMMENT "Stamping build id")

# The SQL migrations embedded into the binary; called from the directory that compiles them.
function(nc_embed_migrations)
  file(GLOB files CONFIGURE_DEPENDS
    ${PROJECT_SOURCE_DIR}/src/store/migrations/postgres/*.sql
    ${PROJECT_SOURCE_DIR}/src/store/migrations/sqlite/*.sql)
  add_custom_command(
    OUTPUT ${NC_GENERATED_DIR}/migrations_data.cpp
    COMMAND ${CMAKE_COMMAND} -DOUT=${NC_GENERATED_DIR}/migrations_data.cpp
            -DDIR=${PROJECT_SOURCE_DIR}/src/store/migrations
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_migrations.cmake
    DEPENDS ${files} ${PROJECT_SOURCE_DIR}/cmake/embed_migrations.cmake
    COMMENT "Embedding SQL migrations")
endfunction()
