using System.Security.Claims;
using Archive.Records;
using Microsoft.AspNetCore.Http;

namespace Archive.Api;

/// <summary>Settings of the REST facade (<c>services.AddArchiveApi(o => ...)</c>, or the <c>Archive:Api</c> configuration section of the standalone host).</summary>
public sealed class ArchiveApiOptions
{
    /// <summary>
    /// Name recorded as the package version's user when the request is anonymous (the standalone host has no
    /// authentication until the host adds it). Default <c>anonymous</c>.
    /// </summary>
    public string AnonymousUserName { get; set; } = "anonymous";

    /// <summary>
    /// Resolves who makes a change. Default: the authenticated <see cref="ClaimsPrincipal"/>'s name
    /// (<see cref="System.Security.Principal.IIdentity.Name"/>, else the <c>name</c>, <c>preferred_username</c> or
    /// <c>sub</c> claim) with its e-mail claim as <c>mailto:</c> address; <see cref="AnonymousUserName"/> otherwise.
    /// </summary>
    public Func<HttpContext, ArchiveUser?>? UserResolver { get; set; }

    /// <summary>
    /// Whether the caller may see record files with <see cref="AccessLevel.Secret"/> (mật). Default: nobody — secret
    /// files and their documents are left out of lists, searches (not even counted) and due lists, and reading one
    /// answers 404. A host with authentication sets this, e.g. <c>ctx =&gt; ctx.User.IsInRole("secret-clearance")</c>.
    /// </summary>
    public Func<HttpContext, bool> CanAccessSecret { get; set; } = static _ => false;

    /// <summary>Largest <c>pageSize</c> of list endpoints (default 1000).</summary>
    public int MaxListPageSize { get; set; } = 1000;

    /// <summary>
    /// AutoMapper licence key (configuration <c>Archive:AutoMapperLicenseKey</c>). AutoMapper 14.0.0, the version this
    /// package is built with, needs none and ignores it; it is passed on to <c>LicenseKey</c> when a host runs a
    /// licensed, patched version (15.1.1+ / 16.1.1+).
    /// </summary>
    public string? AutoMapperLicenseKey { get; set; }

    /// <summary>Name of the OpenAPI document registered by <c>AddArchiveApi</c> (served by <c>MapOpenApi()</c> at <c>/openapi/{name}.json</c>). Default <c>archive</c>.</summary>
    public string OpenApiDocumentName { get; set; } = "archive";
}
