package dev.spikevae.tensor;

import dev.spikevae.backend.cpu.CpuBackendProvider;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Backends are created by kind, with their options, touching no other kind's provider. */
class BackendSelectionTest {

    /** A CUDA provider that would load (its probe says yes) and counts whether it was ever created or asked. */
    static final class StandInCuda implements BackendProvider {
        static final AtomicInteger CREATED = new AtomicInteger();
        final AtomicInteger probes = new AtomicInteger();

        StandInCuda() {
            CREATED.incrementAndGet();
        }

        @Override
        public String kind() {
            return "cuda";
        }

        @Override
        public Availability probe(BackendOptions options) {
            probes.incrementAndGet();
            return Availability.no("stand-in: never creates a backend");
        }

        @Override
        public Backend create(BackendOptions options) {
            throw new AssertionError("the stand-in CUDA backend must not be created");
        }
    }

    private static Backends.Registry registry() {
        return new Backends.Registry(List.of(new Backends.Candidate("cpu", 0, CpuBackendProvider::new),
                new Backends.Candidate("cuda", 10, StandInCuda::new)));
    }

    @Test
    void deviceCpuNeverCreatesTheCudaProvider() {
        StandInCuda.CREATED.set(0);
        Backends.Registry r = registry();
        Backend cpu = r.select("cpu", BackendOptions.defaults().withThreads(1));
        assertEquals("cpu", cpu.kind());
        assertEquals(0, StandInCuda.CREATED.get(), "cpu must not even instantiate the cuda provider");
        assertFalse(r.created("cuda"));
    }

    @Test
    void autoTriesThePreferredKindFirstAndSaysWhyItPassedOver() {
        StandInCuda.CREATED.set(0);
        Backends.Registry r = registry();
        Backend b = r.select("auto", BackendOptions.defaults().withThreads(1));
        assertEquals("cpu", b.kind());
        assertEquals(1, StandInCuda.CREATED.get());
        assertTrue(r.lastAutoNote().contains("cuda unavailable: stand-in"), r.lastAutoNote());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.select("cuda", BackendOptions.defaults()));
        assertEquals("device cuda is unavailable: stand-in: never creates a backend", e.getMessage());
        assertEquals(1, StandInCuda.CREATED.get(), "a provider is created once");
    }

    @Test
    void optionsAreGivenAtCreationAndEachSetGetsItsBackend() {
        Backends.Registry r = registry();
        Backend one = r.select("cpu", BackendOptions.defaults().withThreads(1));
        Backend three = r.select("cpu", BackendOptions.defaults().withThreads(3));
        assertEquals(1, one.threads());
        assertEquals(3, three.threads(), "a second run in the same JVM with another thread count gets it");
        assertNotSame(one, three);
        assertSame(one, r.select("cpu", BackendOptions.defaults().withThreads(1)), "the same options share a backend");
        assertThrows(IllegalArgumentException.class, () -> r.select("tpu", BackendOptions.defaults()));
        assertThrows(IllegalArgumentException.class, () -> BackendOptions.defaults().withThreads(-1));
    }
}
