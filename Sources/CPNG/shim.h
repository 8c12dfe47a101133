/* libpng's simplified API (png_image_*): reads any PNG into 8-bit grey or RGB, no setjmp. */
#include <png.h>
