package dev.adnet.runtime.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/** Decodes PNG and JPEG images into pixel planes: grey or RGB, 0..255, resized bilinearly. */
public final class ImageDecoding {
    private ImageDecoding() {}

    /** Decodes an image; a corrupt or truncated file (also one the decoder only warns about) is a {@link DataException}. */
    public static BufferedImage read(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new DataException(file + ": cannot open the image");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DataException(file + ": not a PNG or JPEG image");
            }
            ImageReader r = readers.next();
            try {
                StringBuilder warnings = new StringBuilder();
                r.addIIOReadWarningListener((IIOReadWarningListener) (source, warning) -> warnings.append(warning));
                r.setInput(in, true, true);
                BufferedImage img = r.read(0);
                if (warnings.length() > 0) {
                    throw new DataException(file + ": corrupt or truncated image (" + warnings + ")");
                }
                return img;
            } finally {
                r.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DataException d) {
                throw d;
            }
            throw new DataException(file + ": corrupt or truncated image (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The image as {@code channels} planes of 0..255 values. Grey images keep their stored levels; colour images become
     * {@code 0.299 R + 0.587 G + 0.114 B} (ITU-R BT.601) for one channel. Transparency is composited over black.
     */
    public static double[] channels(BufferedImage img, int channels) {
        int w = img.getWidth();
        int h = img.getHeight();
        double[] px = new double[channels * w * h];
        ColorModel cm = img.getColorModel();
        Raster r = img.getRaster();
        boolean gray = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof IndexColorModel)
                && r.getNumBands() == cm.getNumComponents();
        int plane = w * h;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double red;
                double green;
                double blue;
                double alpha;
                if (gray) {
                    red = green = blue = scale(r.getSample(x, y, 0), cm.getComponentSize(0));
                    alpha = cm.hasAlpha() ? scale(r.getSample(x, y, 1), cm.getComponentSize(1)) / 255.0 : 1.0;
                } else {
                    int argb = img.getRGB(x, y);
                    red = argb >> 16 & 0xff;
                    green = argb >> 8 & 0xff;
                    blue = argb & 0xff;
                    alpha = (argb >>> 24) / 255.0;
                }
                int at = y * w + x;
                if (channels == 1) {
                    double v = gray ? red : 0.299 * red + 0.587 * green + 0.114 * blue;
                    px[at] = Math.min(255, Math.round(v * alpha));
                } else {
                    px[at] = Math.round(red * alpha);
                    px[plane + at] = Math.round(green * alpha);
                    px[2 * plane + at] = Math.round(blue * alpha);
                }
            }
        }
        return px;
    }

    private static double scale(int sample, int bits) {
        return bits == 8 ? sample : sample * 255.0 / ((1 << bits) - 1);
    }

    /** Bilinear resize of {@code channels} planes (pixel centres aligned); the planes themselves when the size is right. */
    public static double[] resize(double[] px, int channels, int h, int w, int height, int width) {
        if (h == height && w == width) {
            return px;
        }
        double[] out = new double[channels * height * width];
        double sy = (double) h / height;
        double sx = (double) w / width;
        for (int c = 0; c < channels; c++) {
            int in = c * h * w;
            int o = c * height * width;
            for (int y = 0; y < height; y++) {
                double fy = Math.max(0, Math.min(h - 1, (y + 0.5) * sy - 0.5));
                int y0 = (int) fy;
                int y1 = Math.min(h - 1, y0 + 1);
                double dy = fy - y0;
                for (int x = 0; x < width; x++) {
                    double fx = Math.max(0, Math.min(w - 1, (x + 0.5) * sx - 0.5));
                    int x0 = (int) fx;
                    int x1 = Math.min(w - 1, x0 + 1);
                    double dx = fx - x0;
                    double top = px[in + y0 * w + x0] * (1 - dx) + px[in + y0 * w + x1] * dx;
                    double bottom = px[in + y1 * w + x0] * (1 - dx) + px[in + y1 * w + x1] * dx;
                    out[o + y * width + x] = top * (1 - dy) + bottom * dy;
                }
            }
        }
        return out;
    }
}
