/** The static cost model: parameters and FLOPs of every op, known before the network runs. */
package dev.adnet.compiler.cost;
