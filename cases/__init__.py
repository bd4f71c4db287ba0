"""The domain app: cases, their taxonomy and the evidence behind them."""
