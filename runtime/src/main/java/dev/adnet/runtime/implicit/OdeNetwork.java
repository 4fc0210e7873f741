package dev.adnet.runtime.implicit;

/** A generated network with continuous-depth layers ({@code ode} in the language): training's account of its solves. */
public interface OdeNetwork {
    /** Training steps' function evaluations since the last drain. */
    OdeTrace odeTrace();

    /**
     * Integrates every ODE with these tolerances from the next call on instead of the declared ones (a NaN keeps the
     * declared one): the same trained parameters evaluated at another accuracy and cost.
     *
     * @throws IllegalArgumentException for a tolerance that is not a positive number
     */
    void odeTolerances(double rtol, double atol);
}
