"""The seed's section-4 Keras code, with only ``tensorflow.keras`` -> ``nn`` and a smaller size/steps."""

import math

import numpy as np
import pytest

PIL = pytest.importorskip("PIL.Image")


def write_image_folder(root, per_class=6, size=(40, 40)):
    """data/train/{cats,dogs}: PNGs and JPEGs; cats are dark, dogs are bright."""
    rng = np.random.default_rng(0)
    for label, (name, base) in enumerate((("cats", 40), ("dogs", 200))):
        folder = root / "data" / "train" / name
        folder.mkdir(parents=True)
        for i in range(per_class):
            pixels = np.clip(base + rng.normal(0, 20, size=(*size, 3)), 0, 255).astype(np.uint8)
            suffix = "png" if (i + label) % 2 == 0 else "jpg"
            PIL.fromarray(pixels).save(folder / f"{name}_{i}.{suffix}")


def test_seed_section_4_runs_verbatim(tmp_path, monkeypatch, capsys):
    write_image_folder(tmp_path)
    monkeypatch.chdir(tmp_path)

    # --- 4.1 (target_size 150 -> 32) ---
    from nn.preprocessing.image import ImageDataGenerator

    train_datagen = ImageDataGenerator(rescale=1./255)
    train_generator = train_datagen.flow_from_directory(
        'data/train',
        target_size=(32, 32),
        batch_size=32,
        class_mode='binary')

    # --- 4.2 (input_shape 150 -> 32) ---
    from nn.layers import Conv2D, Dense, Flatten, MaxPooling2D
    from nn.models import Sequential

    model = Sequential([
        Conv2D(32, (3, 3), activation='relu', input_shape=(32, 32, 3)),
        MaxPooling2D(2, 2),
        Conv2D(64, (3, 3), activation='relu'),
        MaxPooling2D(2, 2),
        Conv2D(128, (3, 3), activation='relu'),
        MaxPooling2D(2, 2),
        Flatten(),
        Dense(512, activation='relu'),
        Dense(1, activation='sigmoid')
    ])

    # --- 4.3 ---
    model.compile(optimizer='adam',
                  loss='binary_crossentropy',
                  metrics=['accuracy'])

    # --- 4.4 (steps_per_epoch 8000 -> 2, epochs 25 -> 1) ---
    history = model.fit(train_generator,
                        steps_per_epoch=2,
                        epochs=1)

    out = capsys.readouterr().out
    assert "Found 12 images belonging to 2 classes." in out
    assert "Epoch 1/1" in out and "loss:" in out and "accuracy:" in out
    assert history.params["steps"] == 2 and history.epoch == [0]
    assert math.isfinite(history.history["loss"][0])
    # 2 steps of 32 over 12 images: the accuracy is the share of right answers among the 24 samples seen
    assert history.history["accuracy"][0] * 24 == pytest.approx(round(history.history["accuracy"][0] * 24))
    probabilities = model.predict(train_generator)
    assert probabilities.shape == (12, 1) and np.all((probabilities > 0) & (probabilities < 1))


def test_seed_cnn_summary_prints_keras_parameter_count(capsys):
    from nn.layers import Conv2D, Dense, Flatten, MaxPooling2D
    from nn.models import Sequential

    model = Sequential([
        Conv2D(32, (3, 3), activation='relu', input_shape=(150, 150, 3)),
        MaxPooling2D(2, 2),
        Conv2D(64, (3, 3), activation='relu'),
        MaxPooling2D(2, 2),
        Conv2D(128, (3, 3), activation='relu'),
        MaxPooling2D(2, 2),
        Flatten(),
        Dense(512, activation='relu'),
        Dense(1, activation='sigmoid')
    ])
    model.summary()
    out = capsys.readouterr().out
    assert "Total params: 19,034,177" in out
    assert "Trainable params: 19,034,177" in out and "Non-trainable params: 0" in out
    lines = out.splitlines()
    assert lines[0].startswith('Model: "sequential') and "Layer (type)" in lines[2] and "Param #" in lines[2]
    rows = {line.split()[0]: line for line in lines if "(None," in line}
    assert len(rows) == 9
    assert "(None, 148, 148, 32)" in rows[model.layers[0].name] and rows[model.layers[0].name].endswith("896")
    assert "(None, 36992)" in rows[model.layers[6].name]
    assert rows[model.layers[7].name].endswith("18,940,416")
