"""``nnrecipe.course``: the graded functions of the course's Initialization, Regularization,
Gradient Checking and Optimization assignments, with the course's names, arguments, shapes
(X is (n_x, m), b is (n, 1)) and return values, to check your own work against.

Each is a thin face over the library (initializers, losses, regularizers, dropout, the
network's forward/backward through a cache, the optimizers, the gradient checker); its
docstring names the function it wraps. A function that takes ``seed`` draws what the notebook
draws after ``np.random.seed(seed)``, from a local ``np.random.RandomState`` (the global state
is never touched). :func:`reproduce` reruns an assignment's experiment and prints the
published table beside its own numbers.

The assignments reuse names: ``forward_propagation``/``backward_propagation`` here are the
Gradient Checking toy J(θ) = θx, and ``predict`` the 2-layer (tanh) network its public tests
grade; the networks' versions live in the submodules
(``nnrecipe.course.initialization.forward_propagation``, ...).
"""

from .gradient_checking import (
    backward_propagation,
    backward_propagation_n,
    forward_propagation,
    forward_propagation_n,
    gradient_check,
    gradient_check_n,
    predict,
)
from .initialization import (
    initialize_parameters_he,
    initialize_parameters_random,
    initialize_parameters_zeros,
)
from .optimization import (
    initialize_adam,
    initialize_velocity,
    random_mini_batches,
    schedule_lr_decay,
    update_lr,
    update_parameters_with_adam,
    update_parameters_with_gd,
    update_parameters_with_momentum,
)
from .regularization import (
    backward_propagation_with_dropout,
    backward_propagation_with_regularization,
    compute_cost,
    compute_cost_with_regularization,
    forward_propagation_with_dropout,
)

__all__ = [
    "backward_propagation",
    "backward_propagation_n",
    "backward_propagation_with_dropout",
    "backward_propagation_with_regularization",
    "compute_cost",
    "compute_cost_with_regularization",
    "forward_propagation",
    "forward_propagation_n",
    "forward_propagation_with_dropout",
    "gradient_check",
    "gradient_check_n",
    "initialize_adam",
    "initialize_parameters_he",
    "initialize_parameters_random",
    "initialize_parameters_zeros",
    "initialize_velocity",
    "predict",
    "random_mini_batches",
    "schedule_lr_decay",
    "update_lr",
    "update_parameters_with_adam",
    "update_parameters_with_gd",
    "update_parameters_with_momentum",
]
