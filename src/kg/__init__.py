"""future-industries-kg: a knowledge graph of China's future-industry plans.

>>> import kg
>>> kg.__version__.count(".") >= 2
True
"""

__version__ = "0.1.0"
