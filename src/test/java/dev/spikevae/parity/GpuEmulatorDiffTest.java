package dev.spikevae.parity;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a GPU and the emulated device are both there (ci/gpu-check.sh's last parity stage): every parity case with
 * the emulated device in the CPU's place, so the GPU's own kernels meet the same kernels compiled for the CPU, on
 * the same inputs. The cases' tolerances still apply; beyond them each comparison prints a {@code DIFF} line with
 * how many elements differ in their bits: what is left of libdevice against glibc, of the tensor cores' order of
 * summation, and of anything else that makes a GPU differ from its emulation. Skipped elsewhere.
 */
class GpuEmulatorDiffTest {

    @TestFactory
    List<DynamicTest> theGpuAgreesWithItsEmulation() {
        Map<String, Boolean> cases = new LinkedHashMap<>();
        ParityCases.all().keySet().forEach(name -> cases.put(name, false));
        ParityCases.tensorCoreCases().keySet().forEach(name -> cases.put(name, true));
        List<DynamicTest> tests = new ArrayList<>();
        cases.forEach((name, tf32) -> tests.add(DynamicTest.dynamicTest(name, () -> {
            Backend gpu = CudaUnderTest.realGpuOrSkip(tf32);
            Backend emulated = CudaUnderTest.emulatorOrSkip(tf32);
            ParityCases.Case c = tf32 ? ParityCases.tensorCoreCases().get(name) : ParityCases.all().get(name);
            Pair.BITWISE_REPORT.set(line -> System.out.println("DIFF " + name + ": " + line));
            try (MemoryScope scope = MemoryScope.open()) {
                c.run(emulated, gpu, new Rng(name.hashCode()));
            } finally {
                Pair.BITWISE_REPORT.remove();
            }
        })));
        return tests;
    }
}
