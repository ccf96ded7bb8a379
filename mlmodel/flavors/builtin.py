"""The flavors MLflow writes or used to write (spec section 4), registered as built-ins.

Registered through the ``mlmodel.flavors`` entry-point group like any plugin
(``pyproject.toml``); the registry reads this table directly so that documents
of built-in flavors never pay for an entry-point scan.

Checked against MLflow's sources: ``paths`` are the keys whose files or folders
MLflow's loaders open; ``loader_modules`` is the ``python_function`` loader
MLflow writes with the flavor; ``loader_needs_flavor`` is true when that
loader's ``_load_pyfunc`` reads the flavor's settings and fails without them;
``removed_in`` is the first MLflow release without the flavor.
"""

from __future__ import annotations

from mlmodel.flavors.spec import FlavorSpec, PathKind, PathRef, loader_is

_SCHEMAS = "mlmodel.schema.flavors"

_CODE = PathRef(("code",), "dir")
_EXTRA_FILES = PathRef(("extra_files", "*", "path"), "file")


def _key(name: str, kind: PathKind = "any") -> PathRef:
    return PathRef((name,), kind)


BUILTIN_FLAVORS: tuple[FlavorSpec, ...] = (
    FlavorSpec(
        name="python_function",
        schema=f"{_SCHEMAS}.python_function:PythonFunctionFlavor",
        summary="generic Python loading and predict (pyfunc)",
        paths=(
            PathRef(("data",)),
            PathRef(("code",), "dir"),
            PathRef(("env",), "file"),
            PathRef(("env", "conda"), "file"),
            PathRef(("env", "virtualenv"), "file"),
            PathRef(("python_model",), "file"),
            PathRef(("artifacts", "*", "path")),
            PathRef(("model_path",), "file", when=loader_is("mlflow.sklearn")),
            PathRef(("model_code_path",), "file", basename_only=True),
        ),
    ),
    FlavorSpec(
        name="sklearn",
        schema=f"{_SCHEMAS}.sklearn:SklearnFlavor",
        summary="scikit-learn estimators",
        loader_modules=("mlflow.sklearn",),
        loader_needs_flavor=False,  # the loader falls back to pickle with a warning
        paths=(
            PathRef(("pickled_model",), "file"),
            PathRef(("code",), "dir"),
            PathRef(("extra_files", "*", "path"), "file"),
        ),
    ),
    FlavorSpec(
        name="xgboost",
        schema=f"{_SCHEMAS}.xgboost:XGBoostFlavor",
        summary="XGBoost boosters and scikit-learn API models",
        loader_modules=("mlflow.xgboost",),
        paths=(_key("data", "file"), _CODE, _EXTRA_FILES),
    ),
    FlavorSpec(
        name="lightgbm",
        schema=f"{_SCHEMAS}.lightgbm:LightGBMFlavor",
        summary="LightGBM boosters and scikit-learn API models",
        loader_modules=("mlflow.lightgbm",),
        paths=(_key("data", "file"), _CODE, _EXTRA_FILES),
    ),
    FlavorSpec(
        name="catboost",
        schema=f"{_SCHEMAS}.catboost:CatBoostFlavor",
        summary="CatBoost models",
        loader_modules=("mlflow.catboost",),
        paths=(_key("data", "file"), _CODE, _EXTRA_FILES),
    ),
    FlavorSpec(
        name="pytorch",
        schema=f"{_SCHEMAS}.pytorch:PyTorchFlavor",
        summary="PyTorch modules (pickled or torch.export pt2)",
        loader_modules=("mlflow.pytorch",),
        loader_needs_flavor=False,  # _load_pyfunc reads only the data folder
        paths=(_key("model_data"), _CODE, _EXTRA_FILES),
    ),
    FlavorSpec(
        name="tensorflow",
        schema=f"{_SCHEMAS}.tensorflow:TensorFlowFlavor",
        summary="TensorFlow SavedModels and tf.keras models",
        loader_modules=("mlflow.tensorflow",),
        paths=(_key("data", "dir"), _key("saved_model_dir", "dir"), _CODE, _EXTRA_FILES),
    ),
    FlavorSpec(
        name="keras",
        schema=f"{_SCHEMAS}.keras:KerasFlavor",
        summary="Keras 3 models (and 1.x mlflow.keras models)",
        loader_modules=("mlflow.keras",),
        paths=(_key("data"),),
    ),
    FlavorSpec(
        name="onnx",
        schema=f"{_SCHEMAS}.onnx:OnnxFlavor",
        summary="ONNX models run with onnxruntime",
        loader_modules=("mlflow.onnx",),
        paths=(_key("data", "file"), _CODE, _EXTRA_FILES),
    ),
    FlavorSpec(
        name="transformers",
        schema=f"{_SCHEMAS}.transformers:TransformersFlavor",
        summary="Hugging Face transformers pipelines",
        loader_modules=("mlflow.transformers",),
        paths=(_key("model_binary", "dir"), _key("peft_adaptor", "dir"), _CODE),
    ),
    FlavorSpec(
        name="sentence_transformers",
        schema=f"{_SCHEMAS}.sentence_transformers:SentenceTransformersFlavor",
        summary="sentence-transformers embedding models",
        loader_modules=("mlflow.sentence_transformers",),
        loader_needs_flavor=False,  # _load_pyfunc reads only the data folder
        paths=(_CODE, _EXTRA_FILES),
    ),
    FlavorSpec(
        name="spark",
        schema=f"{_SCHEMAS}.spark:SparkFlavor",
        summary="Spark MLlib models",
        loader_modules=("mlflow.spark",),
        paths=(_key("model_data", "dir"), _CODE),
    ),
    FlavorSpec(
        name="mleap",
        schema=f"{_SCHEMAS}.mleap:MLeapFlavor",
        summary="MLeap bundles of Spark pipelines (Java scoring only)",
        loader_needs_flavor=False,
        removed_in="3.0",
        paths=(_key("model_data"),),
    ),
    FlavorSpec(
        name="h2o",
        schema=f"{_SCHEMAS}.h2o:H2OFlavor",
        summary="H2O models",
        loader_modules=("mlflow.h2o",),
        loader_needs_flavor=False,  # _load_pyfunc reads h2o.yaml in the data folder
        paths=(_key("data", "dir"), _CODE, _EXTRA_FILES),
    ),
    FlavorSpec(
        name="statsmodels",
        schema=f"{_SCHEMAS}.statsmodels:StatsmodelsFlavor",
        summary="statsmodels results",
        loader_modules=("mlflow.statsmodels",),
        loader_needs_flavor=False,  # _load_pyfunc unpickles the data file
        paths=(_key("data", "file"), _CODE, _EXTRA_FILES),
    ),
    FlavorSpec(
        name="prophet",
        schema=f"{_SCHEMAS}.prophet:ProphetFlavor",
        summary="Prophet forecasters",
        loader_modules=("mlflow.prophet",),
        loader_needs_flavor=False,  # _load_pyfunc reads the data file
        paths=(_key("data", "file"), _CODE, _EXTRA_FILES),
    ),
    FlavorSpec(
        name="pmdarima",
        schema=f"{_SCHEMAS}.pmdarima:PmdarimaFlavor",
        summary="pmdarima ARIMA models and pipelines",
        loader_modules=("mlflow.pmdarima",),
        loader_needs_flavor=False,  # _load_pyfunc unpickles the data file
        paths=(_key("data", "file"), _CODE, _EXTRA_FILES),
    ),
    FlavorSpec(
        name="spacy",
        schema=f"{_SCHEMAS}.spacy:SpacyFlavor",
        summary="spaCy pipelines",
        loader_modules=("mlflow.spacy",),
        loader_needs_flavor=False,  # _load_pyfunc loads the data folder
        paths=(_key("data", "dir"), _CODE, _EXTRA_FILES),
    ),
    FlavorSpec(
        name="paddle",
        schema=f"{_SCHEMAS}.paddle:PaddleFlavor",
        summary="PaddlePaddle models",
        loader_modules=("mlflow.paddle",),
        # pickled_model is a file-name prefix (model -> model.pdmodel...), not a path
        paths=(_CODE, _EXTRA_FILES),
    ),
    FlavorSpec(
        name="shap",
        schema=f"{_SCHEMAS}.shap:ShapFlavor",
        summary="SHAP explainers",
        loader_modules=("mlflow.shap",),
        paths=(_key("serialized_explainer", "file"), _CODE),
    ),
    FlavorSpec(
        name="openai",
        schema=f"{_SCHEMAS}.openai:OpenAIFlavor",
        summary="OpenAI API models (task and parameters)",
        loader_modules=("mlflow.openai",),
        loader_needs_flavor=False,  # _load_pyfunc reads the data file
        paths=(_key("data", "file"), _CODE),
    ),
    FlavorSpec(
        name="langchain",
        schema=f"{_SCHEMAS}.langchain:LangChainFlavor",
        summary="LangChain chains, agents and runnables",
        loader_modules=("mlflow.langchain",),
        paths=(
            _key("model_data"),
            _key("agent_data", "file"),
            _key("tools_data", "file"),
            _key("agent_primitive_data", "file"),
            _key("loader_fn", "file"),
            _key("persist_dir", "dir"),
            _CODE,
            PathRef(("model_code_path",), "file", basename_only=True),
            PathRef(("config",), "file", basename_only=True),
        ),
    ),
    FlavorSpec(
        name="llama_index",
        schema=f"{_SCHEMAS}.llama_index:LlamaIndexFlavor",
        summary="LlamaIndex indexes, engines and workflows",
        loader_modules=("mlflow.llama_index",),
        paths=(_CODE,),
    ),
    FlavorSpec(
        name="dspy",
        schema=f"{_SCHEMAS}.dspy:DSPyFlavor",
        summary="DSPy programs",
        loader_modules=("mlflow.dspy",),
        paths=(_key("model_path"), _CODE),
    ),
    FlavorSpec(
        name="johnsnowlabs",
        schema=f"{_SCHEMAS}.johnsnowlabs:JohnSnowLabsFlavor",
        summary="John Snow Labs (Spark NLP) pipelines",
        loader_modules=("mlflow.johnsnowlabs",),
        loader_needs_flavor=False,  # _load_pyfunc loads the data folder
        paths=(_key("model_data", "dir"), _CODE),
    ),
    FlavorSpec(
        name="diffusers",
        schema=f"{_SCHEMAS}.diffusers:DiffusersFlavor",
        summary="diffusers LoRA adapters for a base pipeline",
        loader_modules=("mlflow.diffusers",),
        paths=(_key("adapter_weights", "dir"), _CODE),
    ),
    FlavorSpec(
        name="fastai",
        schema=f"{_SCHEMAS}.fastai:FastaiFlavor",
        summary="fastai learners",
        loader_modules=("mlflow.fastai",),
        loader_needs_flavor=False,  # _load_pyfunc loads the data file
        removed_in="3.0",
        paths=(_key("data", "file"), _CODE),
    ),
    FlavorSpec(
        name="diviner",
        schema=f"{_SCHEMAS}.diviner:DivinerFlavor",
        summary="Diviner grouped time-series models",
        loader_modules=("mlflow.diviner",),
        removed_in="3.7",
        paths=(_key("data"), _CODE),
    ),
    FlavorSpec(
        name="promptflow",
        schema=f"{_SCHEMAS}.promptflow:PromptflowFlavor",
        summary="Prompt flow flows",
        loader_modules=("mlflow.promptflow",),
        loader_needs_flavor=False,  # _load_pyfunc loads the flow/ folder
        removed_in="3.7",
    ),
    FlavorSpec(
        name="gluon",
        schema=f"{_SCHEMAS}.gluon:GluonFlavor",
        summary="MXNet Gluon blocks",
        loader_modules=("mlflow.gluon",),
        removed_in="2.20",
        paths=(_CODE,),
    ),
)
