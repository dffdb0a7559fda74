/* The imaging module (src/imaging/, a shared object) carried inside the binary, so a deploy is
   still one file and the module always matches the binary. NC_IMAGING_MODULE is its path. */
  .section .rodata
  .balign 64
  .global nc_imaging_module_start
nc_imaging_module_start:
  .incbin NC_IMAGING_MODULE
  .global nc_imaging_module_end
nc_imaging_module_end:
  .section .note.GNU-stack,"",@progbits
