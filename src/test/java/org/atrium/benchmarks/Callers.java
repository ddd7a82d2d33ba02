package org.atrium.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** Concurrent callers for latency benchmarks: each takes the next call's number until all calls are made. */
final class Callers {

    /** One call, by its number. */
    interface Call {
        void make(int index) throws Exception;
    }

    private Callers() {
    }

    /** Makes calls {@code 0..total-1} from {@code callers} threads; the first failure is thrown. */
    static void run(int callers, int total, Call call) throws Exception {
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                workers.add(pool.submit(() -> {
                    int index;
                    while ((index = next.getAndIncrement()) < total) {
                        call.make(index);
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        }
    }
}
