package dev.spikevae.parity;

import dev.spikevae.bench.TrainingStepBench;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A whole ESVAE training step (forward, backward, AdamW; the full-size network of docs/reference.md §1.2 at a
 * small batch) on the CPU and the CUDA backend from the same seed: the losses of three consecutive
 * steps agree. Exact equality is not expected: GEMM and convolution sums run in different orders, and
 * after the first update a spike near threshold may flip.
 */
class EsvaeStepParityTest {
    private static final int BATCH = 3;
    private static final int STEPS = 4;

    static float[] losses(Backend be) {
        Rng rng = new Rng(77);
        TrainingStepBench.Step step = TrainingStepBench.Step.esvae(be, 3, 16, STEPS, rng.fork());
        float[] pixels = TrainingStepBench.images(rng.fork(), BATCH, 3);
        float[] out = new float[3];
        for (int s = 0; s < out.length; s++) {
            out[s] = step.run(pixels, BATCH, rng);
        }
        return out;
    }

    @Test
    void theSameStepGivesTheSameLossOnBothBackends() {
        Backend gpu = CudaUnderTest.gpuOrSkip();
        float[] cpu = losses(CudaUnderTest.cpu());
        float[] cuda = losses(gpu);
        assertTrue(Float.isFinite(cpu[0]) && cpu[0] > 0f, "cpu loss " + cpu[0]);
        assertEquals(cpu[0], cuda[0], 1e-4 * cpu[0], "first step: same parameters, same spikes");
        for (int s = 1; s < cpu.length; s++) {
            assertEquals(cpu[s], cuda[s], 2e-2 * cpu[s], "step " + (s + 1));
        }
        System.out.println("PARITY esvae-training-step pass (" + CudaUnderTest.label() + "; losses cpu " + java.util.Arrays.toString(cpu) + ", cuda "
                + java.util.Arrays.toString(cuda) + ")");
    }
}
