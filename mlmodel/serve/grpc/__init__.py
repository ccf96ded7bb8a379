"""The Open Inference Protocol (V2) over gRPC: ``inference.GRPCInferenceService``, as KServe,
MLServer and Triton clients call it (``mlmodel serve --grpc-port``; the ``grpc`` extra).

``inference.proto`` is the interface; ``inference_pb2`` (messages) and ``inference_pb2_grpc``
(client stub and servicer base) are generated from it by ``scripts/generate_grpc.py``.
``codec`` (protobuf messages <-> the data plane's V2 values), ``servicer`` (the RPCs over
:class:`~mlmodel.scoring.dataplane.OpenInference`), ``server`` (the grpc.aio server) and
``lifespan`` (started and stopped with the HTTP application). grpcio and protobuf are
imported only when these modules are.

A client::

    import grpc
    from mlmodel.serve.grpc import inference_pb2 as pb
    from mlmodel.serve.grpc.inference_pb2_grpc import GRPCInferenceServiceStub

    stub = GRPCInferenceServiceStub(grpc.insecure_channel("127.0.0.1:8081"))
    stub.ServerReady(pb.ServerReadyRequest())
"""
