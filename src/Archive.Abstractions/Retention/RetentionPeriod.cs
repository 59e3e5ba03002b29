using System.Globalization;

namespace Archive.Retention;

/// <summary>Kinds of retention period (thời hạn lưu trữ, formerly thời hạn bảo quản).</summary>
public enum RetentionKind
{
    /// <summary>Vĩnh viễn — kept forever; transferred to the Historical Archives.</summary>
    Permanent = 0,

    /// <summary>A number of years counted from the year the work ended.</summary>
    Years = 1,

    /// <summary>Until the document ceases to be in force (đến khi văn bản hết hiệu lực).</summary>
    UntilSuperseded = 2,
}

/// <summary>A retention period: permanent, N years, or until superseded.</summary>
public readonly record struct RetentionPeriod
{
    private RetentionPeriod(RetentionKind kind, int years)
    {
        Kind = kind;
        YearsValue = years;
    }

    /// <summary>The kind.</summary>
    public RetentionKind Kind { get; }

    /// <summary>Years, for <see cref="RetentionKind.Years"/>; 0 otherwise.</summary>
    public int YearsValue { get; }

    /// <summary>Vĩnh viễn.</summary>
    public static RetentionPeriod Permanent => new(RetentionKind.Permanent, 0);

    /// <summary>Until the document ceases to be in force.</summary>
    public static RetentionPeriod UntilSuperseded => new(RetentionKind.UntilSuperseded, 0);

    /// <summary>A number of years (1–200).</summary>
    public static RetentionPeriod OfYears(int years)
    {
        if (years is < 1 or > 200)
        {
            throw new ArchiveValidationException("retention", "retention.years-range", "A retention period in years must be between 1 and 200.");
        }

        return new RetentionPeriod(RetentionKind.Years, years);
    }

    /// <summary>Whether the records are kept forever.</summary>
    public bool IsPermanent => Kind == RetentionKind.Permanent;

    /// <summary>
    /// The year from which the records may be appraised for destruction: closing year + years. Null for permanent
    /// and until-superseded periods (the latter is decided when the document is superseded).
    /// </summary>
    public int? DueYear(int closingYear) => Kind == RetentionKind.Years ? closingYear + YearsValue : null;

    /// <summary>Canonical text: <c>permanent</c>, <c>until-superseded</c> or <c>Ny</c> (e.g. <c>10y</c>).</summary>
    public override string ToString() => Kind switch
    {
        RetentionKind.Permanent => "permanent",
        RetentionKind.UntilSuperseded => "until-superseded",
        _ => YearsValue.ToString(CultureInfo.InvariantCulture) + "y",
    };

    /// <summary>Vietnamese label: <c>Vĩnh viễn</c>, <c>10 năm</c>, <c>Đến khi văn bản hết hiệu lực</c>.</summary>
    public string ToVietnamese() => Kind switch
    {
        RetentionKind.Permanent => "Vĩnh viễn",
        RetentionKind.UntilSuperseded => "Đến khi văn bản hết hiệu lực",
        _ => YearsValue.ToString(CultureInfo.InvariantCulture) + " năm",
    };

    /// <summary>
    /// Parses the canonical text and the usual Vietnamese and English forms: <c>permanent</c>, <c>Vĩnh viễn</c>,
    /// <c>vinh vien</c>, <c>10y</c>, <c>10</c>, <c>10 năm</c>, <c>10 years</c>, <c>until-superseded</c>,
    /// <c>Đến khi văn bản hết hiệu lực</c>.
    /// </summary>
    public static bool TryParse(string? text, out RetentionPeriod period)
    {
        period = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var t = text.Trim().Normalize(System.Text.NormalizationForm.FormC).ToLowerInvariant();
        switch (t)
        {
            case "permanent" or "vĩnh viễn" or "vinh vien" or "vv":
                period = Permanent;
                return true;
            case "until-superseded" or "until superseded" or "đến khi văn bản hết hiệu lực" or "den khi van ban het hieu luc" or "hết hiệu lực" or "het hieu luc":
                period = UntilSuperseded;
                return true;
        }

        var digits = new string(t.TakeWhile(char.IsAsciiDigit).ToArray());
        var rest = t[digits.Length..].Trim();
        if (digits.Length is 0 or > 3 || rest is not ("" or "y" or "year" or "years" or "năm" or "nam"))
        {
            return false;
        }

        var years = int.Parse(digits, CultureInfo.InvariantCulture);
        if (years is < 1 or > 200)
        {
            return false;
        }

        period = new RetentionPeriod(RetentionKind.Years, years);
        return true;
    }

    /// <summary>Parses like <see cref="TryParse"/> or throws a validation error naming <paramref name="field"/>.</summary>
    public static RetentionPeriod Parse(string? text, string field = "retention")
        => TryParse(text, out var p)
            ? p
            : throw new ArchiveValidationException(field, "retention.format", $"'{text}' is not a retention period: use 'permanent', 'until-superseded' or a number of years such as '10y'.");
}
