using System.Text.RegularExpressions;

namespace Archive.Records;

/// <summary>Lifecycle of an agency during reorganisation.</summary>
public enum AgencyStatus
{
    /// <summary>Operating.</summary>
    Active = 0,

    /// <summary>Merged into another agency (sáp nhập).</summary>
    Merged = 1,

    /// <summary>Consolidated with others into a new agency (hợp nhất).</summary>
    Consolidated = 2,

    /// <summary>Split into several agencies (chia, tách).</summary>
    Split = 3,

    /// <summary>Dissolved (giải thể).</summary>
    Dissolved = 4,
}

/// <summary>An agency or unit (cơ quan, tổ chức, đơn vị).</summary>
public sealed record Agency
{
    /// <summary>Agency identifier (mã định danh), e.g. <c>000.00.00.G09</c>; see <see cref="AgencyIdentifier"/>.</summary>
    public required string Id { get; init; }

    /// <summary>Official name, in Vietnamese.</summary>
    public required string Name { get; init; }

    /// <summary>Superior agency, if any.</summary>
    public string? ParentId { get; init; }

    /// <summary>Lifecycle status.</summary>
    public AgencyStatus Status { get; init; } = AgencyStatus.Active;
}

/// <summary>
/// Agency identifiers (mã định danh). QCVN 102:2016/BTTTT defines 13 characters <c>NNN.NN.NN.LNN</c>
/// (e.g. <c>000.00.00.G09</c>); Decision 20/2020/QĐ-TTg allows up to 35 characters of <c>0-9</c>, <c>A-Z</c> and
/// <c>.</c> in dot-separated groups. Both are accepted; the strict form is reported by <see cref="IsQcvn102"/>.
/// </summary>
public static partial class AgencyIdentifier
{
    /// <summary>Longest identifier (Decision 20/2020/QĐ-TTg).</summary>
    public const int MaxLength = 35;

    /// <summary>Whether <paramref name="id"/> has the 13-character QCVN 102:2016 shape.</summary>
    public static bool IsQcvn102(string? id) => id is not null && Qcvn102().IsMatch(id);

    /// <summary>Validates an identifier; the error names <paramref name="field"/> and the rule.</summary>
    /// <returns>The identifier, trimmed.</returns>
    public static string Validate(string? id, string field = "agencyId")
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ArchiveValidationException(field, "agency-id.required", "The agency identifier (mã định danh) is required.");
        }

        var value = id.Trim();
        if (value.Length > MaxLength)
        {
            throw new ArchiveValidationException(field, "agency-id.too-long", $"The agency identifier must be at most {MaxLength} characters.");
        }

        if (!Extended().IsMatch(value))
        {
            throw new ArchiveValidationException(field, "agency-id.format", $"'{value}' is not an agency identifier: use upper-case letters and digits in dot-separated groups, e.g. 000.00.00.G09.");
        }

        return value;
    }

    [GeneratedRegex(@"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex Qcvn102();

    [GeneratedRegex(@"^[0-9A-Z]+(\.[0-9A-Z]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Extended();
}
