package dev.adnet.runtime.data;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads a zip archive's central directory (zip64 included), as {@code .npz} files need it. */
final class ZipDirectory {
    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;

    private ZipDirectory() {}

    static List<ZipEntryInfo> read(String name, FileChannel ch) throws IOException {
        long size = ch.size();
        int tail = (int) Math.min(size, 22 + 65535);
        byte[] t = new byte[tail];
        NumpyFiles.readAt(ch, size - tail, t);
        int at = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (NumpyFiles.le(t, i, 4) == EOCD) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            throw new DataException(name + ": not a zip archive, or truncated (no end of central directory)");
        }
        long entries = NumpyFiles.le(t, at + 10, 2);
        long cdSize = NumpyFiles.le(t, at + 12, 4);
        long cdOffset = NumpyFiles.le(t, at + 16, 4);
        if (entries == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
            int loc = at - 20;
            if (loc < 0 || NumpyFiles.le(t, loc, 4) != ZIP64_LOCATOR) {
                throw new DataException(name + ": corrupt zip64 archive (no zip64 locator)");
            }
            long z = NumpyFiles.le(t, loc + 8, 8);
            byte[] r = new byte[56];
            if (z < 0 || z + 56 > size || NumpyFiles.readAt(ch, z, r) < 56 || NumpyFiles.le(r, 0, 4) != ZIP64_EOCD) {
                throw new DataException(name + ": corrupt zip64 end of central directory");
            }
            entries = NumpyFiles.le(r, 32, 8);
            cdSize = NumpyFiles.le(r, 40, 8);
            cdOffset = NumpyFiles.le(r, 48, 8);
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset + cdSize > size || cdSize > Integer.MAX_VALUE) {
            throw new DataException(name + ": truncated or corrupt zip archive (the central directory lies outside the file)");
        }
        byte[] cd = new byte[(int) cdSize];
        NumpyFiles.readAt(ch, cdOffset, cd);
        List<ZipEntryInfo> out = new ArrayList<>();
        int p = 0;
        for (long i = 0; i < entries; i++) {
            if (p + 46 > cd.length || NumpyFiles.le(cd, p, 4) != CENTRAL) {
                throw new DataException(name + ": corrupt zip central directory at entry " + i);
            }
            int flags = (int) NumpyFiles.le(cd, p + 8, 2);
            int method = (int) NumpyFiles.le(cd, p + 10, 2);
            long crc = NumpyFiles.le(cd, p + 16, 4);
            long csize = NumpyFiles.le(cd, p + 20, 4);
            long usize = NumpyFiles.le(cd, p + 24, 4);
            int nameLen = (int) NumpyFiles.le(cd, p + 28, 2);
            int extraLen = (int) NumpyFiles.le(cd, p + 30, 2);
            int commentLen = (int) NumpyFiles.le(cd, p + 32, 2);
            long local = NumpyFiles.le(cd, p + 42, 4);
            if (p + 46 + nameLen + extraLen > cd.length) {
                throw new DataException(name + ": corrupt zip central directory at entry " + i);
            }
            String entry = new String(cd, p + 46, nameLen, (flags & 0x800) != 0 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            for (int x = p + 46 + nameLen; x + 4 <= p + 46 + nameLen + extraLen; ) {
                int id = (int) NumpyFiles.le(cd, x, 2);
                int len = (int) NumpyFiles.le(cd, x + 2, 2);
                if (id == 1) {
                    int f = x + 4;
                    if (usize == 0xffffffffL) {
                        usize = NumpyFiles.le(cd, f, 8);
                        f += 8;
                    }
                    if (csize == 0xffffffffL) {
                        csize = NumpyFiles.le(cd, f, 8);
                        f += 8;
                    }
                    if (local == 0xffffffffL) {
                        local = NumpyFiles.le(cd, f, 8);
                    }
                }
                x += 4 + len;
            }
            byte[] lh = new byte[30];
            if (local < 0 || local + 30 > size || NumpyFiles.readAt(ch, local, lh) < 30 || NumpyFiles.le(lh, 0, 4) != LOCAL) {
                throw new DataException(name + ": entry '" + entry + "': corrupt or truncated (bad local header)");
            }
            long data = local + 30 + NumpyFiles.le(lh, 26, 2) + NumpyFiles.le(lh, 28, 2);
            out.add(new ZipEntryInfo(entry, method, crc, csize, usize, data));
            p += 46 + nameLen + extraLen + commentLen;
        }
        return out;
    }
}
