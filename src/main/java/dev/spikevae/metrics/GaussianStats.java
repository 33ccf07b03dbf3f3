package dev.spikevae.metrics;

import dev.spikevae.io.FileFormatException;
import dev.spikevae.io.HostDoubles;
import dev.spikevae.io.Npz;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;

/**
 * The mean and covariance of a set of feature vectors, in double precision: what a Fréchet distance compares.
 * Reference statistics come as .npz files with arrays {@code mu} ({@code [d]}) and {@code sigma} ({@code [d, d]}).
 *
 * @param mean       {@code [d]}
 * @param covariance {@code [d * d]}, row-major
 * @param source     where the statistics come from (a file, or a description), for messages
 */
public record GaussianStats(double[] mean, double[] covariance, String source) {

    public GaussianStats {
        if (mean.length == 0 || covariance.length != mean.length * mean.length) {
            throw new IllegalArgumentException(source + ": a mean of " + mean.length + " values needs a covariance of "
                    + mean.length * mean.length + ", not " + covariance.length);
        }
    }

    public int dimension() {
        return mean.length;
    }

    public double trace() {
        double t = 0;
        for (int i = 0; i < mean.length; i++) {
            t += covariance[i * mean.length + i];
        }
        return t;
    }

    /**
     * The mean and the unbiased covariance ({@code np.cov(features, rowvar=False)}, divisor {@code n - 1}) of
     * {@code n} feature rows of {@code d} values ({@code features} row-major), accumulated in double precision.
     */
    public static GaussianStats of(float[] features, int n, int d, String source) {
        if (n < 2 || d < 1 || features.length != (long) n * d) {
            throw new IllegalArgumentException(source + ": " + features.length + " values are not " + n + " rows of " + d
                    + " features (at least 2 rows)");
        }
        double[] mean = new double[d];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < d; j++) {
                mean[j] += features[r * d + j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        double[] cov = new double[d * d];
        double[] centred = new double[d];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < d; j++) {
                centred[j] = features[r * d + j] - mean[j];
            }
            for (int i = 0; i < d; i++) {
                double ci = centred[i];
                int row = i * d;
                for (int j = i; j < d; j++) {
                    cov[row + j] += ci * centred[j];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                double v = cov[i * d + j] / (n - 1);
                cov[i * d + j] = v;
                cov[j * d + i] = v;
            }
        }
        return new GaussianStats(mean, cov, source);
    }

    /**
     * Reads {@code mu} and {@code sigma} from an .npz file.
     *
     * @throws FileFormatException naming the file when an array is missing or the shapes do not match
     */
    public static GaussianStats read(Path file) throws IOException {
        Map<String, HostDoubles> arrays = Npz.readDoubles(file);
        HostDoubles mu = arrays.get("mu");
        HostDoubles sigma = arrays.get("sigma");
        if (mu == null || sigma == null) {
            throw new FileFormatException(file, "statistics need arrays 'mu' and 'sigma'; the file has "
                    + arrays.keySet());
        }
        if (mu.rank() != 1 || sigma.rank() != 2 || sigma.shape()[0] != mu.shape()[0]
                || sigma.shape()[1] != mu.shape()[0]) {
            throw new FileFormatException(file, "'mu' " + Arrays.toString(mu.shape()) + " and 'sigma' "
                    + Arrays.toString(sigma.shape()) + " are not [d] and [d, d]");
        }
        return new GaussianStats(mu.data(), sigma.data(), file.toString());
    }

    /** Reads statistics shipped as a class-path resource (copied to a temporary file, as .npz needs random access). */
    public static GaussianStats readResource(String resource) throws IOException {
        try (InputStream in = GaussianStats.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("resource " + resource + " is not on the class path");
            }
            Path tmp = Files.createTempFile("spikevae-stats", ".npz");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                GaussianStats s = read(tmp);
                return new GaussianStats(s.mean(), s.covariance(), resource);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
