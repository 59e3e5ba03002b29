namespace Archive;

/// <summary>
/// The caller may see the addressed entity but may not do this with it (an HTTP facade maps it to 403): another
/// agency holds it, or the action is for administrators or staff only. <see cref="Rule"/> says which
/// (<see cref="Security.AccessRules"/>). Entities the caller may not even see answer <see cref="ArchiveNotFoundException"/>
/// instead, so that their existence is not revealed. Nothing has been changed.
/// </summary>
public sealed class ArchiveAccessDeniedException : ArchiveException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="field">The input concerned (e.g. <c>fondsCode</c>, <c>agencyId</c>, or the kind of object).</param>
    /// <param name="rule">A stable rule identifier (<see cref="Security.AccessRules"/>).</param>
    /// <param name="message">Why, for a person.</param>
    public ArchiveAccessDeniedException(string field, string rule, string message)
        : base(message)
    {
        Field = field;
        Rule = rule;
    }

    /// <summary>The input concerned.</summary>
    public string Field { get; }

    /// <summary>The rule identifier.</summary>
    public string Rule { get; }
}
