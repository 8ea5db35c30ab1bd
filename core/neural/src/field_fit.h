#pragma once
// Internal parts of the field fit (field_fit.cpp) that tests check directly.

#include "orfeas/neural.h"

#include <ATen/ATen.h>

namespace orfeas::neural {

// Signed distance (negative inside) of points [M, 3] (float32, any device) to an analytic shape: the tensor form
// of models/analytic_shape.h (the same primitives and blend).
at::Tensor shapeSignedDistance(FitShape shape, const at::Tensor& points);

} // namespace orfeas::neural
