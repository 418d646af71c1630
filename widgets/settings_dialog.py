"""The settings dialog: language, operator, font scale, base map, dispatch store.

Plain values in, one signal out: the cockpit checks them and writes the config file. Every
setting here takes effect at the next start (Qt fixes the interface scale when the application
starts; the language, the base map and the store are read once), and the dialog says so.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)


class SettingsDialog(QDialog):
    """Edits the keys of the config file a user changes most."""

    sig_save_requested = Signal(dict)
    """Save was pressed: {lang, operator, font_scale, tiles, store}; empty text = unset."""

    def __init__(self, values: dict, config_path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("设置"))
        self.setMinimumWidth(560)
        root = QVBoxLayout(self)
        note = QLabel(self.tr("以下设置写入配置文件，下次启动时生效。"))
        note.setWordWrap(True)
        root.addWidget(note)
        path = QLabel(config_path)
        path.setObjectName("note")
        path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        root.addWidget(path)
        form = QFormLayout()
        self.lang = QComboBox()
        self.lang.addItem(self.tr("中文"), "zh")
        self.lang.addItem("English", "en")
        self.lang.setCurrentIndex(max(0, self.lang.findData(values.get("lang") or "zh")))
        form.addRow(self.tr("界面语言"), self.lang)
        self.operator = QLineEdit(values.get("operator") or "")
        self.operator.setMaxLength(64)
        self.operator.setPlaceholderText(self.tr("默认：系统用户名"))
        form.addRow(self.tr("值班员（派遣记录署名）"), self.operator)
        self.font_scale = QDoubleSpinBox()
        self.font_scale.setRange(0.5, 3.0)
        self.font_scale.setSingleStep(0.05)
        self.font_scale.setDecimals(2)
        self.font_scale.setValue(float(values.get("font_scale") or 1.0))
        self.font_scale.setToolTip(self.tr("在按窗口大小自动缩放之上再乘以此系数"))
        form.addRow(self.tr("字号缩放"), self.font_scale)
        self.tiles = QLineEdit(values.get("tiles") or "")
        self.tiles.setPlaceholderText(
            self.tr("内网瓦片地址 http://…/{z}/{x}/{y}.png 或 .mbtiles 文件"))
        form.addRow(self.tr("底图"), self.tiles)
        self.store = QLineEdit(values.get("store") or "")
        self.store.setPlaceholderText(self.tr("默认：数据目录中的 dispatch.duckdb；或 postgresql://…"))
        form.addRow(self.tr("派遣库"), self.store)
        root.addLayout(form)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        root.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(lambda: self.sig_save_requested.emit(self.values()))
        buttons.rejected.connect(self.reject)
        root.addWidget(buttons)
        self.buttons = buttons

    def values(self) -> dict:
        return {"lang": self.lang.currentData(), "operator": self.operator.text().strip(),
                "font_scale": round(self.font_scale.value(), 2),
                "tiles": self.tiles.text().strip(), "store": self.store.text().strip()}

    def show_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #ff6b60;" if error else "")
        self.message.show()


if __name__ == "__main__":  # a smoke test: python -m cockpit.widgets.settings_dialog
    import sys

    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)
    dlg = SettingsDialog({"lang": "zh", "font_scale": 1.25}, "~/.config/city-ops-cockpit/"
                         "config.toml")
    dlg.sig_save_requested.connect(lambda v: print(v))
    dlg.show()
    sys.exit(app.exec())
