package dev.spikevae.backend.cuda;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PTX header is lowered to ISA 8.0 by the build so that R525+ drivers and JCuda's ptxas accept it;
 * that is only sound while no kernel uses an instruction introduced after PTX 8.0. This test checks the
 * header and target of every packaged and checked-in module and scans the instructions for the
 * families added in ISA 8.1 and later (the assembly test then confirms with the real 8.0 assembler).
 */
class PtxIsaGuardTest {
    /** Instruction families and qualifiers that need PTX ISA > 8.0 (8.1 .. 9.0). */
    static final List<String> NEWER_THAN_8_0 = List.of("tcgen05", "mbarrier.expect_tx.relaxed", "cp.async.bulk.prefetch.tensor",
            "st.async", "red.async", ".e2m1", ".e3m2", ".e2m3", ".ue8m0", "multimem.", "clusterlaunchcontrol",
            "setmaxnreg", "elect.sync", "cvt.rs", "st.bulk", "ld.global.nc.L2::256B", ".sm_100", ".sm_101", ".sm_120");

    private static final Pattern VERSION = Pattern.compile("^\\.version (\\d+)\\.(\\d+)$", Pattern.MULTILINE);
    private static final Pattern TARGET = Pattern.compile("^\\.target (sm_\\d+)$", Pattern.MULTILINE);

    static List<String> problems(String where, String module, String ptx) {
        List<String> out = new ArrayList<>();
        Matcher v = VERSION.matcher(ptx);
        if (!v.find() || !(v.group(1) + "." + v.group(2)).equals("8.0")) {
            out.add(where + " " + module + ": header is not .version 8.0");
        }
        Matcher t = TARGET.matcher(ptx);
        String expected = "sm_" + PtxModules.minimumComputeCapability(module);
        if (!t.find() || !t.group(1).equals(expected)) {
            out.add(where + " " + module + ": target is not " + expected);
        }
        String code = PtxFiles.withoutComments(ptx);
        for (String s : NEWER_THAN_8_0) {
            if (code.contains(s)) {
                out.add(where + " " + module + ": uses '" + s + "', newer than PTX ISA 8.0");
            }
        }
        return out;
    }

    @Test
    void packagedAndCheckedInPtxStayWithinIsa80() throws Exception {
        List<String> problems = new ArrayList<>();
        for (String module : PtxModules.ALL) {
            problems.addAll(problems("packaged", module, PtxModules.text(module)));
            problems.addAll(problems("checked-in", module, PtxFiles.checkedIn(module)));
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void theGuardCatchesANewerInstruction() {
        String ptx = ".version 8.0\n.target sm_75\n.address_size 64\n\ttcgen05.alloc.cta_group::1.sync.aligned.shared::cta.b32 [%r1], 32;\n";
        assertTrue(problems("test", "memory", ptx).stream().anyMatch(p -> p.contains("tcgen05")));
        assertTrue(problems("test", "memory", ".version 9.0\n.target sm_75\n").stream().anyMatch(p -> p.contains("8.0")));
    }
}
