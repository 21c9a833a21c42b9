// Learning curves from an ebprop-run --metrics file: the training, validation and test losses
// against the epoch, and their error rates in a second panel (§2: where the validation curve
// turns up, more training only fits the training set).
#pragma once

#include <string>

#include "svg_plot.h"
#include "table.h"

namespace ebprop::plot {

// The charts of the table's columns epoch and {train,validation,test}_{loss,error}: a loss chart
// and, when any error rate was measured, an error chart. A column missing from the table, or
// without a single number (null everywhere: no validation set, a regression's error rates), is
// not drawn. `title` heads the loss chart; `log_epochs` makes both x axes logarithmic, `log_loss`
// the loss chart's y axis.
// Throws ebprop::Error when there is no epoch column or no loss to draw, and FileError naming
// file:line of a cell that is not a number (Table::column).
std::vector<Chart> learning_curves(const Table& table, const std::string& title, bool log_epochs,
                                   bool log_loss);

}  // namespace ebprop::plot
