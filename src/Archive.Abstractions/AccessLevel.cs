namespace Archive;

/// <summary>
/// Access regime of a record (Circular 05/2025 "mức độ tiếp cận", formerly "chế độ sử dụng").
/// </summary>
public enum AccessLevel
{
    /// <summary>Công khai — open to the public once accessioned.</summary>
    Public = 0,

    /// <summary>Sử dụng có điều kiện — readable with permission.</summary>
    Conditional = 1,

    /// <summary>Mật — state secret; never shown to anyone without clearance, not even as a count.</summary>
    Secret = 2,
}
