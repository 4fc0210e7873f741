package dev.adnet.runtime.data;

/**
 * One entry of a zip archive's central directory, with where its data starts.
 *
 * @param method 0 stored, 8 deflated
 */
record ZipEntryInfo(String name, int method, long crc, long compressedSize, long size, long dataOffset) {}
