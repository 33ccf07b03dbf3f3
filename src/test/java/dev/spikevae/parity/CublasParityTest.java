package dev.spikevae.parity;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import org.junit.jupiter.api.Test;

/**
 * The GEMM case of {@link ParityCases} on the CUDA backend with cuBLAS on, against the CPU. Runs where a GPU and
 * cuBLAS 12 are usable; elsewhere it is reported as skipped with the reason. A failure names cuBLAS.
 */
class CublasParityTest {

    @Test
    void gemmThroughCublasMatchesTheCpu() {
        Backend gpu = CudaUnderTest.cublasGpuOrSkip();
        try (MemoryScope scope = MemoryScope.open()) {
            ParityCases.all().get("kGemm").run(CudaUnderTest.cpu(), gpu, new Rng("kGemm".hashCode()));
            System.out.println("PARITY cublas:kGemm pass");
        } catch (AssertionError | RuntimeException failure) {
            String first = String.valueOf(failure.getMessage()).lines().findFirst().orElse("");
            System.out.println("PARITY cublas:kGemm FAIL: " + first);
            throw new AssertionError("cuBLAS GEMM path: " + first, failure);
        }
    }
}
