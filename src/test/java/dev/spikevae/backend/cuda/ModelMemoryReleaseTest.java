package dev.spikevae.backend.cuda;

import dev.spikevae.model.GenerativeModel;
import dev.spikevae.model.Models;
import dev.spikevae.tensor.Rng;
import dev.spikevae.train.AdamW;
import dev.spikevae.train.OptimizerSettings;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Device memory is not seen by the garbage collector: a model, its gradients and its optimizer state give their
 * memory back when closed, so an in-process sweep on a GPU does not keep every model it trained.
 */
class ModelMemoryReleaseTest {
    @Test
    void closingTheModelAndTheOptimizerReturnsEveryByte() {
        DryRunDevice d = new DryRunDevice();
        CudaBackend be = new CudaBackend(d, false, false);
        long baseline = be.allocator().bytesInUse();
        for (int run = 0; run < 3; run++) {
            GenerativeModel model = Models.get("esvae").create(be,
                    Models.get("esvae").configure(Models.get("esvae").defaultSettings(), 1, 32), new Rng(run));
            AdamW optimizer = AdamW.forModel(model, new OptimizerSettings(1e-3, 1e-3, 0.9, 0.999, 1e-8));
            model.zeroGrad();
            long held = be.allocator().bytesInUse() - baseline;
            // weights, gradients and two moments: at least four copies of the parameters
            assertTrue(held >= 4 * 4 * model.parameterCount(), "held " + held + " bytes");
            optimizer.close();
            model.close();
            assertEquals(baseline, be.allocator().bytesInUse(), "run " + run + ": live bytes back to the baseline");
        }
    }
}
