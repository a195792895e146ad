"""Hostile or broken ``.keras`` archives, and exports that cannot be made: each is a named error.

Every archive is forged by the test from a good one that stepgrad wrote, in a temporary folder.
"""

from __future__ import annotations

import io
import json
import os
import zipfile

import numpy as np
import pytest

from nn.keras_layers import KerasFormatError
from nn.layers import BatchNormalization, Dense
from nn.models import Sequential, load_model

h5py = pytest.importorskip("h5py", reason="the export extra (h5py) is not installed")


@pytest.fixture
def good(tmp_path):
    model = Sequential([Dense(3, activation="relu", input_shape=(4,)), BatchNormalization(), Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    path = tmp_path / "good.keras"
    model.save(path)
    return path


def members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def forge(path, entries: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries.items():
            z.writestr(zipfile.ZipInfo(name), data)


def with_config(good, tmp_path, edit) -> str:
    entries = members(good)
    config = json.loads(entries["config.json"])
    edit(config)
    entries["config.json"] = json.dumps(config).encode()
    forge(tmp_path / "bad.keras", entries)
    return tmp_path / "bad.keras"


def with_weights(good, tmp_path, edit) -> str:
    entries = members(good)
    buffer = io.BytesIO(entries["model.weights.h5"])
    with h5py.File(buffer, "a") as f:
        edit(f)
    entries["model.weights.h5"] = buffer.getvalue()
    forge(tmp_path / "bad.keras", entries)
    return tmp_path / "bad.keras"


@pytest.mark.parametrize("name", ["../x", "/etc/x", "a/../../x", "C:/x", "..\\x"])
def test_member_outside_the_archive_root_is_refused(good, tmp_path, name):
    entries = members(good)
    entries[name] = b"boo"
    forge(tmp_path / "bad.keras", entries)
    with pytest.raises(KerasFormatError, match="outside the archive's root"):
        load_model(tmp_path / "bad.keras")


def test_lambda_layer_is_refused_without_running_anything(good, tmp_path):
    def edit(config):
        config["config"]["layers"][1] = {"module": "keras.layers", "class_name": "Lambda", "config": {
            "name": "evil", "function": {"class_name": "__lambda__", "config": {"code": "print('pwned')"}}}}

    with pytest.raises(KerasFormatError, match="Lambda layer holds Python code"):
        load_model(with_config(good, tmp_path, edit))


def test_unknown_module_is_refused(good, tmp_path):
    def edit(config):
        config["config"]["layers"][1]["module"] = "os"

    with pytest.raises(KerasFormatError, match="from module 'os'"):
        load_model(with_config(good, tmp_path, edit))


def test_unknown_class_and_registered_custom_object_are_refused(good, tmp_path):
    with pytest.raises(KerasFormatError, match="unknown layer class 'MyLayer'"):
        load_model(with_config(good, tmp_path, lambda c: c["config"]["layers"][1].update(class_name="MyLayer")
                               ))
    with pytest.raises(KerasFormatError, match="custom registered object"):
        load_model(with_config(good, tmp_path, lambda c: c["config"]["layers"][1].update(
            registered_name="my_package>Dense")))


def test_unsupported_argument_is_named(good, tmp_path):
    def edit(config):
        config["config"]["layers"][1]["config"]["kernel_regularizer"] = {"class_name": "L2", "config": {}}

    with pytest.raises(KerasFormatError, match="kernel_regularizer=.* is not supported"):
        load_model(with_config(good, tmp_path, edit))


def test_weight_of_the_wrong_shape_is_named(good, tmp_path):
    def edit(f):
        del f["layers/dense/vars/0"]
        f["layers/dense/vars"].create_dataset("0", data=np.zeros((5, 3), "float32"))

    with pytest.raises(KerasFormatError, match=r"vars/0 .*has shape \(5, 3\), the layer needs \(4, 3\)"):
        load_model(with_weights(good, tmp_path, edit))


def test_weight_of_the_wrong_dtype_is_named(good, tmp_path):
    def edit(f):
        del f["layers/dense_1/vars/1"]
        f["layers/dense_1/vars"].create_dataset("1", data=np.zeros(2, "int32"))

    with pytest.raises(KerasFormatError, match="dense_1/vars/1 .*has dtype int32"):
        load_model(with_weights(good, tmp_path, edit))
    with pytest.raises(KerasFormatError, match="dtype policy 'mixed_float16'"):
        load_model(with_config(good, tmp_path, lambda c: c["config"]["layers"][1]["config"].update(
            dtype="mixed_float16")))


def test_missing_weight_is_named(good, tmp_path):
    with pytest.raises(KerasFormatError, match="batch_normalization/vars/3 .*missing weight"):
        load_model(with_weights(good, tmp_path, lambda f: f["layers/batch_normalization/vars"].pop("3")))
    with pytest.raises(KerasFormatError, match="no group 'layers/dense_1/vars'"):
        load_model(with_weights(good, tmp_path, lambda f: f["layers"].pop("dense_1")))


def test_links_to_other_files_are_refused(good, tmp_path):
    def edit(f):
        del f["layers/dense/vars/0"]
        f["layers/dense/vars/0"] = h5py.ExternalLink("/etc/passwd.h5", "/x")

    with pytest.raises(KerasFormatError, match="is a link"):
        load_model(with_weights(good, tmp_path, edit))


def test_truncated_and_non_zip_files_are_named(good, tmp_path):
    data = good.read_bytes()
    for cut in (len(data) // 2, 30):
        (tmp_path / "cut.keras").write_bytes(data[:cut])
        with pytest.raises(KerasFormatError, match="damaged or truncated"):
            load_model(tmp_path / "cut.keras")
    entries = members(good)
    entries["model.weights.h5"] = entries["model.weights.h5"][:100]
    forge(tmp_path / "h5cut.keras", entries)
    with pytest.raises(KerasFormatError, match="not a readable HDF5 file"):
        load_model(tmp_path / "h5cut.keras")
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_model(tmp_path / "absent.keras")


def test_missing_config_member_is_named(good, tmp_path):
    entries = members(good)
    del entries["config.json"]
    forge(tmp_path / "bad.keras", entries)
    with pytest.raises(KerasFormatError, match="has no config.json"):
        load_model(tmp_path / "bad.keras")


def test_saving_into_a_missing_folder_or_an_unmappable_model_leaves_files_alone(good, tmp_path):
    model = Sequential([Dense(2, activation=lambda x: x * 2, input_shape=(3,))])
    with pytest.raises(FileNotFoundError, match="does not exist"):
        Sequential([Dense(2, input_shape=(3,))]).save(tmp_path / "no" / "such" / "m.keras")
    before = good.read_bytes()
    with pytest.raises(KerasFormatError, match="activation .* has no name Keras knows"):
        model.save(good)
    assert good.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["good.keras"]  # no temporary file left behind


def test_custom_objects_are_not_taken_for_keras_files(good):
    with pytest.raises(ValueError, match="custom_objects are not used"):
        load_model(good, custom_objects={"Dense": Dense})


def test_functional_graph_pointing_nowhere_is_named(tmp_path):
    import nn

    a = nn.Input(shape=(3,), name="a")
    model = nn.Model(a, Dense(2, name="head")(Dense(4, name="body")(a)))
    model.save(tmp_path / "f.keras")

    def dangle(config):  # "head" now reads a layer that does not exist
        head = next(s for s in config["config"]["layers"] if s["name"] == "head")
        head["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = ["ghost", 0, 0]

    with pytest.raises(KerasFormatError, match=r"cannot connect layers \['head'\]"):
        load_model(with_config(tmp_path / "f.keras", tmp_path, dangle))

    def loop(config):  # "body" reads "head", which reads "body"
        body = next(s for s in config["config"]["layers"] if s["name"] == "body")
        body["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = ["head", 0, 0]

    with pytest.raises(KerasFormatError, match="cannot connect layers"):
        load_model(with_config(tmp_path / "f.keras", tmp_path, loop))
