package dev.spikevae.cli;

import org.junit.jupiter.api.Test;

import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bench --densities} and {@code bench --sparse} at tiny sizes: they run and report what they should. */
class BenchSparseTest {

    /** The density column of the first row whose text starts with {@code prefix}. */
    private static double density(String out, String prefix) {
        for (String line : out.lines().toList()) {
            String t = line.strip();
            if (t.startsWith(prefix)) {
                String[] f = t.replace("  spikes", "").strip().split("\\s+");
                for (String s : f) {
                    if (s.endsWith("%")) {
                        return Double.parseDouble(s.substring(0, s.length() - 1));
                    }
                }
            }
        }
        throw new AssertionError("no row " + prefix + " in\n" + out);
    }

    /** The density of a --sparse row at its layer's measured density. */
    private static double measuredRow(String out, String layer) {
        for (String line : out.lines().toList()) {
            if (line.contains(layer) && line.contains("(measured density)")) {
                return density(line, line.strip().substring(0, 10));
            }
        }
        throw new AssertionError("no measured row for " + layer + " in\n" + out);
    }

    @Test
    void densitiesNameEveryLayerAndMarkTheSpikeInputs() {
        CliTest.Run r = CliTest.run("bench", "--densities", "--quick", "--steps", "2", "--batch", "2");
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        for (String layer : new String[] {"encoder.0", "encoder.3", "decoder.0", "decoder.2", "final_layer.0",
            "final_layer.1", "linear"}) {
            assertTrue(out.contains(layer), "missing " + layer + " in\n" + out);
        }
        // the image enters the first convolution as floats; every later convolution reads u8 spikes
        assertTrue(out.lines().anyMatch(l -> l.contains("encoder.0") && l.contains(" forward ") && l.contains("f32")), out);
        for (String spiking : new String[] {"encoder.1      forward", "decoder.0      forward", "final_layer.1  forward",
            "encoder.2      weight grad", "final_layer.0  weight grad"}) {
            assertTrue(out.lines().anyMatch(l -> l.contains(spiking) && l.endsWith("spikes")), spiking + " in\n" + out);
            double d = density(out, spiking);
            assertTrue(d > 0 && d < 100, spiking + " fires at " + d + "%, expected some but not all");
        }
        assertEquals(density(out, "encoder.1      forward"), density(out, "encoder.1      weight grad"),
                "the weight gradient reads the forward input");
        // the linear layer after the encoder reads its spikes as u8, once (not again as the f32 of a dense fallback)
        assertEquals(1, out.lines().filter(l -> l.strip().startsWith("linear") && l.endsWith("spikes")).count(), out);
    }

    @Test
    void sparseRowsCompareBothPathsAtTheMeasuredAndFixedDensities() {
        CliTest.Run r = CliTest.run("bench", "--quick", "--sparse", "--steps", "2", "--batch", "2");
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertTrue(out.contains("speed-up"), out);
        for (String row : new String[] {"E2 conv 32->64 16->8", "D5 convT 32->3 32->32", "linear 1024->128"}) {
            long rows = out.lines().filter(l -> l.contains(row) && l.strip().endsWith("x")
                    || l.contains(row) && l.contains("(measured density)")).count();
            assertTrue(rows >= 6, row + ": forward and weight grad at 1, 10 and 50% in\n" + out);
        }
        assertTrue(out.lines().anyMatch(l -> l.contains(String.format(Locale.ROOT, "%7.2f%%", 10.0))), out);
        assertTrue(out.lines().anyMatch(l -> l.contains("linear 1024->128") && l.contains("(measured density)")), out);
        // each layer's rows at its own measured density: D1's is decoder.0's, the linear layer's its input spikes'
        assertEquals(density(out, "decoder.0      forward"), measuredRow(out, "D1 convT 256->128 2->4"), 0.005, out);
        assertEquals(density(out, "linear         forward        1024"), measuredRow(out, "linear 1024->128"), 0.005, out);
    }

    @Test
    void densitiesNeedTheCpuBackend() {
        CliTest.Run r = CliTest.run("bench", "--densities", "--quick", "--device", "cuda");
        assertNotEquals(0, r.code());
    }
}
