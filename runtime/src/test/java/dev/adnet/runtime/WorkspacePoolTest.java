package dev.adnet.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WorkspacePoolTest {
    @Test
    void oneThreadGetsTheSameWorkspaceOnEveryCall() {
        WorkspacePool pool = new WorkspacePool(2);
        Workspace first = pool.acquire();
        pool.release(first);
        Workspace second = pool.acquire();
        assertThat(second).isSameAs(first);
        assertThat(second.openRows().length).as("a trace row per gate").isEqualTo(2);
    }

    @Test
    void callsInFlightTogetherGetWorkspacesOfTheirOwn() {
        WorkspacePool pool = new WorkspacePool(0);
        Workspace a = pool.acquire();
        Workspace b = pool.acquire();
        assertThat(b).isNotSameAs(a);
        assertThat(b.arena()).isNotSameAs(a.arena());
        pool.release(a);
        pool.release(b);
        assertThat(pool.acquire()).as("the one released last").isSameAs(b);
        assertThat(pool.acquire()).isSameAs(a);
    }
}
