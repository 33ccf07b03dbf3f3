package dev.spikevae.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikevae.io.HostDoubles;
import dev.spikevae.io.Npz;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The Fréchet distance against numpy/scipy values (tools/make_frechet_fixtures.py wrote the fixture). */
class FrechetDistanceTest {

    static Map<String, HostDoubles> cases() throws Exception {
        return Npz.readDoubles(resource("frechet_cases.npz"));
    }

    static Path resource(String name) throws URISyntaxException {
        return Path.of(FrechetDistanceTest.class.getResource(name).toURI());
    }

    static GaussianStats stats(Map<String, HostDoubles> cases, String name, int which) {
        return new GaussianStats(cases.get(name + ".mu" + which).data(), cases.get(name + ".sigma" + which).data(),
                name + which);
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "d64", "rank_deficient", "both_singular", "ill_conditioned"})
    void matchesScipyWithinOnePartInAMillion(String name) throws Exception {
        Map<String, HostDoubles> cases = cases();
        double expected = cases.get(name + ".distance").data()[0];
        double actual = FrechetDistance.between(stats(cases, name, 1), stats(cases, name, 2));
        assertEquals(expected, actual, 1e-6 * Math.abs(expected), name);
    }

    @Test
    void nearIdenticalDistributionsGiveNearZero() throws Exception {
        // The distance is ~6e-8 against traces of ~100: a difference of terms that cancel to 1e-9 of their size, so
        // the check is absolute: 1e-9 of the trace.
        Map<String, HostDoubles> cases = cases();
        GaussianStats a = stats(cases, "near_identical", 1);
        GaussianStats b = stats(cases, "near_identical", 2);
        double expected = cases.get("near_identical.distance").data()[0];
        assertEquals(expected, FrechetDistance.between(a, b), 1e-9 * a.trace());
    }

    @Test
    void identicalStatisticsAreAtDistanceZeroAndSymmetric() throws Exception {
        Map<String, HostDoubles> cases = cases();
        GaussianStats a = stats(cases, "d64", 1);
        GaussianStats b = stats(cases, "d64", 2);
        assertEquals(0, FrechetDistance.between(a, a), 1e-9 * a.trace());
        assertEquals(FrechetDistance.between(a, b), FrechetDistance.between(b, a), 1e-9 * a.trace());
    }

    @Test
    void diagonalCaseByHand() {
        // S1 = diag(4, 9), S2 = diag(1, 1): tr sqrt(S1 S2) = 2 + 3; means differ by (1, 2): 5 + 13 + 2 - 10 = 10.
        GaussianStats a = new GaussianStats(new double[] {0, 0}, new double[] {4, 0, 0, 9}, "a");
        GaussianStats b = new GaussianStats(new double[] {1, 2}, new double[] {1, 0, 0, 1}, "b");
        FrechetDistance.Result r = FrechetDistance.compute(a, b);
        assertEquals(10.0, r.distance(), 1e-12);
        assertEquals(5.0, r.traceRoot(), 1e-12);
        assertFalse(r.usedFallback());
    }

    @Test
    void nonFiniteCovarianceIsAnError() {
        GaussianStats a = new GaussianStats(new double[] {0}, new double[] {Double.NaN}, "a");
        GaussianStats b = new GaussianStats(new double[] {0}, new double[] {1}, "b");
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> FrechetDistance.between(a, b));
        assertTrue(e.getMessage().contains("1.0E-6"), e.getMessage());
    }

    @Test
    void dimensionsMustAgree() {
        GaussianStats a = new GaussianStats(new double[] {0}, new double[] {1}, "first");
        GaussianStats b = new GaussianStats(new double[] {0, 0}, new double[] {1, 0, 0, 1}, "second");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FrechetDistance.between(a, b));
        assertTrue(e.getMessage().contains("first") && e.getMessage().contains("second"), e.getMessage());
    }

    @Test
    void covarianceIsNumpysUnbiasedEstimate() {
        // rows (1, 2), (3, 6), (5, 4): means (3, 4); np.cov -> [[4, 2], [2, 4]].
        GaussianStats s = GaussianStats.of(new float[] {1, 2, 3, 6, 5, 4}, 3, 2, "rows");
        assertEquals(3.0, s.mean()[0], 0);
        assertEquals(4.0, s.mean()[1], 0);
        assertEquals(4.0, s.covariance()[0], 1e-12);
        assertEquals(2.0, s.covariance()[1], 1e-12);
        assertEquals(2.0, s.covariance()[2], 1e-12);
        assertEquals(4.0, s.covariance()[3], 1e-12);
    }
}
