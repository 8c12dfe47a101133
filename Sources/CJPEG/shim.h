/* libjpeg-turbo's libjpeg API. Its fatal errors call error_exit, which by default ends the
 * process; these helpers route them through longjmp back into the one C function that called
 * setjmp (Swift cannot), and return the library's message instead. Only glue lives here: the
 * decoding and encoding are libjpeg's. */
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

struct sscl_jpeg_error {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

static inline void sscl_jpeg_error_exit(j_common_ptr info) {
    struct sscl_jpeg_error *error = (struct sscl_jpeg_error *)info->err;
    info->err->format_message(info, error->message);
    longjmp(error->jump, 1);
}

/* Warnings stay silent (no stderr), except a truncated file, which is an error as in PIL. */
static inline void sscl_jpeg_emit_message(j_common_ptr info, int level) {
    if (level == -1 && info->err->msg_code == JWRN_JPEG_EOF) sscl_jpeg_error_exit(info);
    if (level == -1) info->err->num_warnings++;
}

static inline void sscl_jpeg_install(struct sscl_jpeg_error *error) {
    jpeg_std_error(&error->base);
    error->base.error_exit = sscl_jpeg_error_exit;
    error->base.emit_message = sscl_jpeg_emit_message;
    error->message[0] = 0;
}

/* Decodes the JPEG in data[0..<size] into 8-bit rows: grey (1 component) for a one-component
 * file, RGB (3) otherwise. On success returns 0 and sets *pixels to a malloc'd buffer of
 * height * width * components bytes that the caller frees. Returns 1 with the library's
 * message, 2 when width * height exceeds maxPixels (checked before decoding), or 3 for a
 * CMYK or YCCK file (libjpeg-turbo converts those only to CMYK, not to RGB). */
static inline int sscl_jpeg_decode(const unsigned char *data, unsigned long size, unsigned long maxPixels,
                                   int *width, int *height, int *components, unsigned char **pixels,
                                   char *message, size_t messageSize) {
    struct jpeg_decompress_struct info;
    struct sscl_jpeg_error error;
    unsigned char *volatile buffer = NULL;
    memset(&info, 0, sizeof info);
    *pixels = NULL;
    sscl_jpeg_install(&error);
    info.err = &error.base;
    if (setjmp(error.jump)) {
        jpeg_destroy_decompress(&info);
        free(buffer);
        snprintf(message, messageSize, "%s", error.message);
        return 1;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, size);
    jpeg_read_header(&info, TRUE);
    if ((unsigned long long)info.image_width * info.image_height > maxPixels) {
        snprintf(message, messageSize, "%ux%u pixels", (unsigned)info.image_width, (unsigned)info.image_height);
        jpeg_destroy_decompress(&info);
        return 2;
    }
    if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
        jpeg_destroy_decompress(&info);
        return 3;
    }
    info.out_color_space = info.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&info);
    size_t stride = (size_t)info.output_width * info.output_components;
    buffer = malloc(stride * info.output_height);
    if (buffer == NULL) {
        snprintf(message, messageSize, "out of memory");
        jpeg_destroy_decompress(&info);
        return 1;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = buffer + stride * info.output_scanline;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    *width = (int)info.output_width;
    *height = (int)info.output_height;
    *components = info.output_components;
    jpeg_destroy_decompress(&info);
    *pixels = buffer;
    return 0;
}

/* Encodes 8-bit rows (components 1: grey, 3: RGB, 4: CMYK) at quality 1...100 into a malloc'd buffer
 * (*output, *outputSize) that the caller frees. Returns 0, or 1 with the library's message.
 * (Used by the tests to write real JPEG files.) */
static inline int sscl_jpeg_encode(const unsigned char *pixels, int width, int height, int components, int quality,
                                   unsigned char **output, unsigned long *outputSize,
                                   char *message, size_t messageSize) {
    struct jpeg_compress_struct info;
    struct sscl_jpeg_error error;
    memset(&info, 0, sizeof info);
    *output = NULL;
    *outputSize = 0;
    sscl_jpeg_install(&error);
    info.err = &error.base;
    if (setjmp(error.jump)) {
        jpeg_destroy_compress(&info);
        free(*output);
        *output = NULL;
        snprintf(message, messageSize, "%s", error.message);
        return 1;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, output, outputSize);
    info.image_width = (JDIMENSION)width;
    info.image_height = (JDIMENSION)height;
    info.input_components = components;
    info.in_color_space = components == 1 ? JCS_GRAYSCALE : components == 4 ? JCS_CMYK : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    size_t stride = (size_t)width * components;
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + stride * info.next_scanline);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    return 0;
}
