package dev.spikevae.metrics;

/**
 * The Inception Score of class probabilities, split as the published evaluation splits them (docs/reference.md
 * §6.2, docs/metrics.md): {@code splits} consecutive groups of {@code n / splits} rows (rows beyond are unused); for
 * each group, {@code exp(mean_i KL(p(y|x_i) ‖ p(y)))} with {@code p(y)} the group's mean row; the result is the mean
 * and the population standard deviation of the group scores. As scipy's {@code entropy}, each row and the marginal
 * are normalised to sum 1 and {@code 0 · log 0} counts as 0.
 */
public final class InceptionScore {

    public record Result(double mean, double std, double[] splitScores) {}

    private InceptionScore() {}

    /** {@code probs}: {@code n} rows of {@code classes} probabilities, row-major. */
    public static Result fromProbabilities(float[] probs, int n, int classes, int splits) {
        if (classes < 1 || splits < 1 || n < splits || probs.length != (long) n * classes) {
            throw new IllegalArgumentException("Inception Score: " + probs.length + " values are not " + n + " rows of "
                    + classes + " classes, or fewer rows than the " + splits + " splits");
        }
        int group = n / splits;
        double[] scores = new double[splits];
        double[] marginal = new double[classes];
        double[] row = new double[classes];
        for (int k = 0; k < splits; k++) {
            java.util.Arrays.fill(marginal, 0);
            int start = k * group;
            for (int i = start; i < start + group; i++) {
                for (int c = 0; c < classes; c++) {
                    marginal[c] += probs[i * classes + c];
                }
            }
            for (int c = 0; c < classes; c++) {
                marginal[c] /= group;
            }
            normalise(marginal);
            double klSum = 0;
            for (int i = start; i < start + group; i++) {
                for (int c = 0; c < classes; c++) {
                    double v = probs[i * classes + c];
                    if (v < 0 || !Double.isFinite(v)) {
                        throw new IllegalArgumentException("Inception Score: row " + i + " has a probability " + v);
                    }
                    row[c] = v;
                }
                normalise(row);
                double kl = 0;
                for (int c = 0; c < classes; c++) {
                    if (row[c] > 0) {
                        kl += row[c] * Math.log(row[c] / marginal[c]);
                    }
                }
                klSum += kl;
            }
            scores[k] = Math.exp(klSum / group);
        }
        double mean = 0;
        for (double s : scores) {
            mean += s;
        }
        mean /= splits;
        double var = 0;
        for (double s : scores) {
            var += (s - mean) * (s - mean);
        }
        return new Result(mean, Math.sqrt(var / splits), scores);
    }

    private static void normalise(double[] v) {
        double sum = 0;
        for (double x : v) {
            sum += x;
        }
        if (!(sum > 0)) {
            throw new IllegalArgumentException("Inception Score: a probability row sums to " + sum);
        }
        for (int i = 0; i < v.length; i++) {
            v[i] /= sum;
        }
    }
}
