import Foundation

/// `value` with exactly `digits` decimals (C locale).
func fixed(_ value: Double, digits: Int) -> String {
    String(format: "%.\(digits)f", value)
}

/// `text` padded on the left to `width` characters.
func rightAligned(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}

/// `text` padded on the right to `width` characters.
func leftAligned(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: max(0, width - text.count))
}
