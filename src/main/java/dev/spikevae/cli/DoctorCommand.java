package dev.spikevae.cli;

import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.BackendOptions;
import dev.spikevae.tensor.Backends;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.concurrent.Callable;

/** Prints what this machine offers spikevae: JDK, cores, Vector API, and each backend with why it can or cannot run. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Show the JDK, cores, Vector API and the backends found (and why any is unavailable): for CUDA the "
                + "driver, device, kernel modules and whether cuBLAS / cuDNN loaded (not probed with --no-vendor-libs).")
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
        System.out.println("  backends:");
        BackendOptions options = Main.backendOptions();
        List<Backends.Probe> probes = Backends.probeAll(options);
        for (Backends.Probe p : probes) {
            System.out.printf("    %-5s %s: %s%n", p.kind(), p.availability().available() ? "available" : "UNAVAILABLE",
                    p.availability().detail());
            for (String line : p.provider().details(options)) {
                System.out.println("          " + line);
            }
        }
        if (probes.stream().noneMatch(p -> p.kind().equals("cuda"))) {
            System.out.println("    cuda  UNAVAILABLE: this build has no CUDA backend");
        }
        Backend auto = Backends.select("auto", options);
        System.out.printf("  --device auto selects: %s%n", auto.description());
        if (Backends.lastAutoNote() != null) {
            System.out.println("  " + Backends.lastAutoNote());
        }
        return 0;
    }
}
