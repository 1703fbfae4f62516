# Vitrina CPU image (studio backend). GPU images install a CUDA build of torch instead.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends \
        libraqm0 libfribidi0 fonts-noto-core fonts-noto-cjk \
        tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-ara tesseract-ocr-jpn \
        tesseract-ocr-spa tesseract-ocr-chi-sim tesseract-ocr-kor tesseract-ocr-heb tesseract-ocr-hin \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# CPU torch from PyTorch's own index: the default index would bring CUDA wheels.
RUN pip install --no-cache-dir "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY pipeline ./pipeline
COPY flows ./flows
COPY dam_connectors ./dam_connectors
COPY vitrina ./vitrina
RUN pip install --no-cache-dir -e .
COPY brand_guides ./brand_guides
COPY prompts ./prompts
COPY demo ./demo

ENTRYPOINT ["vitrina"]
CMD ["--help"]
