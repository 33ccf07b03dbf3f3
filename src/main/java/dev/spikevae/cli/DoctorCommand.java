package dev.spikevae.cli;

import dev.spikevae.backend.cpu.VectorSupport;
import dev.spikevae.backend.cuda.CudaProbe;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Backends;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** Prints what this machine offers spikevae: JDK, cores, Vector API, and each backend with why it can or cannot run. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Show the JDK, cores, Vector API and the backends found (and why any is unavailable): for CUDA the "
                + "driver, device, kernel modules and whether cuBLAS / cuDNN loaded.")
public final class DoctorCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        Runtime rt = Runtime.getRuntime();
        System.out.println("spikevae doctor");
        System.out.printf("  java       %s (%s), %s%n", System.getProperty("java.version"), System.getProperty("java.vendor"),
                System.getProperty("java.home"));
        System.out.printf("  os         %s %s (%s)%n", System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("os.arch"));
        System.out.printf("  cores      %d%n", rt.availableProcessors());
        System.out.printf("  max heap   %.1f GiB%n", rt.maxMemory() / (double) (1L << 30));
        System.out.printf("  vector API %s%n", VectorSupport.available()
                ? "yes, " + 32 * VectorSupport.floatLanes() + "-bit float vectors (" + VectorSupport.floatLanes() + " lanes)"
                : "no: " + VectorSupport.reason());
        System.out.println("  backends:");
        for (Backends.Probe p : Backends.probeAll()) {
            System.out.printf("    %-5s %s: %s%n", p.kind(), p.availability().available() ? "available" : "UNAVAILABLE",
                    p.availability().detail());
            if (p.kind().equals("cuda")) {
                for (String line : CudaProbe.doctorLines()) {
                    System.out.println("          " + line);
                }
            }
        }
        if (Backends.probeAll().stream().noneMatch(p -> p.kind().equals("cuda"))) {
            System.out.println("    cuda  UNAVAILABLE: this build has no CUDA backend");
        }
        Backend auto = Backends.select("auto");
        System.out.printf("  --device auto selects: %s%n", auto.description());
        if (Backends.lastAutoNote() != null) {
            System.out.println("  " + Backends.lastAutoNote());
        }
        return 0;
    }
}
