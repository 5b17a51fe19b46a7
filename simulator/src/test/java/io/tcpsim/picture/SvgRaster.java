package io.tcpsim.picture;

import java.awt.image.BufferedImage;
import java.io.StringReader;
import org.apache.batik.transcoder.ErrorHandler;
import org.apache.batik.transcoder.TranscoderException;
import org.apache.batik.transcoder.TranscoderInput;
import org.apache.batik.transcoder.TranscoderOutput;
import org.apache.batik.transcoder.image.ImageTranscoder;

/**
 * A real SVG renderer (Apache Batik) for the picture tests: run's ladders here, replay's in trace-replay (which gets
 * this class from simulator's test jar). Any Batik error or warning fails the test.
 */
public final class SvgRaster {
    private SvgRaster() {}

    public static BufferedImage rasterize(String svg) throws TranscoderException {
        Raster raster = new Raster();
        raster.setErrorHandler(new ErrorHandler() {
            public void error(TranscoderException e) throws TranscoderException { throw e; }
            public void fatalError(TranscoderException e) throws TranscoderException { throw e; }
            public void warning(TranscoderException e) throws TranscoderException { throw e; }
        });
        raster.transcode(new TranscoderInput(new StringReader(svg)), new TranscoderOutput());
        return raster.image;
    }

    /** The fraction of pixels that are not (nearly) white. */
    public static double inked(BufferedImage image) {
        long ink = 0;
        for (int y = 0; y < image.getHeight(); y++)
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                if ((rgb >> 16 & 0xff) + (rgb >> 8 & 0xff) + (rgb & 0xff) < 3 * 235) ink++;
            }
        return (double) ink / ((long) image.getWidth() * image.getHeight());
    }

    private static final class Raster extends ImageTranscoder {
        BufferedImage image;

        @Override
        public BufferedImage createImage(int width, int height) {
            return new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        }

        @Override
        public void writeImage(BufferedImage img, TranscoderOutput output) {
            image = img;
        }
    }
}
