-- Health of an Argo CD Application as its parent (an app of apps) sees it: what decides when the
-- parent's sync moves on to the next sync wave. Installed in argocd-cm under the key
-- resource.customizations.health.argoproj.io_Application (README: "Sync waves").
--
-- Reporting the child's own status.health is not enough. Since Argo CD 3.4 an Application's
-- health leaves out the resources that do not exist yet (controller/health.go; argoproj/argo-cd
-- #27917), so a child that has not created its objects reads Healthy; and right after the parent
-- applies a changed child, the child's status still describes its previous spec. Either way the
-- next wave would start early. So a child is Healthy here only once its status describes its
-- current spec, no sync of it is running, every object it deploys is created and in sync, and it
-- reports Healthy itself.
--
-- The parent ignores a child whose health is Missing or Unknown (controller/health.go), so every
-- "not yet" below is Progressing, never Missing or Unknown.
--
-- Argo CD runs this with gopher-lua (Lua 5.1) and, for a script from argocd-cm, only the base,
-- table and a safe os library (util/lua/lua.go): no string library, so no string methods here.

local function unsetText(v)
  return v == nil or v == ""
end

local function progressing(message)
  return { status = "Progressing", message = message }
end

-- "what: detail", or just "what" when there is no detail.
local function withDetail(what, detail)
  if unsetText(detail) then
    return what
  end
  return what .. ": " .. detail
end

-- nil, "" and false all mean "not set", as the Go structs Argo CD compares treat them.
local function unset(v)
  return v == nil or v == "" or v == false
end

local function same(a, b)
  if unset(a) and unset(b) then
    return true
  end
  return a == b
end

local SOURCE_FIELDS = { "repoURL", "path", "targetRevision", "chart", "ref", "name" }
local DIRECTORY_FIELDS = { "recurse", "include", "exclude" }

local function sameFields(a, b, fields)
  a = a or {}
  b = b or {}
  for _, field in ipairs(fields) do
    if not same(a[field], b[field]) then
      return false
    end
  end
  return true
end

local function sameSource(a, b)
  a = a or {}
  b = b or {}
  return sameFields(a, b, SOURCE_FIELDS) and sameFields(a.directory, b.directory, DIRECTORY_FIELDS)
end

-- Whether status.sync describes the current spec: the controller's own test of a stale comparison
-- (currentSourceEqualsSyncedSource and the destination check of needRefreshAppStatus,
-- controller/appcontroller.go), on the fields a source of plain manifests sets.
local function comparedToCurrentSpec(spec, comparedTo)
  if comparedTo == nil then
    return false
  end
  if not sameFields(spec.destination, comparedTo.destination, { "server", "name", "namespace" }) then
    return false
  end
  if spec.sources ~= nil then
    local compared = comparedTo.sources or {}
    if #spec.sources ~= #compared then
      return false
    end
    for i, source in ipairs(spec.sources) do
      if not sameSource(source, compared[i]) then
        return false
      end
    end
    return true
  end
  return sameSource(spec.source, comparedTo.source)
end

local function resourceName(r)
  local name = (r.kind or "?") .. "/" .. (r.name or "?")
  if r.health ~= nil and r.health.status == "Missing" then
    name = name .. " (missing)"
  end
  return name
end

local status = obj.status
if status == nil or status.sync == nil or status.health == nil then
  return progressing("Waiting for the Application's first reconciliation")
end

if not comparedToCurrentSpec(obj.spec or {}, status.sync.comparedTo) then
  return progressing("Waiting for the Application to compare its current spec (its status describes an earlier one)")
end

local operation = status.operationState
if operation ~= nil then
  if operation.phase == "Running" or operation.phase == "Terminating" then
    return progressing(withDetail("Sync " .. operation.phase, operation.message))
  end
  -- Timestamps are RFC 3339 in UTC, second precision: ordered as strings.
  if operation.finishedAt ~= nil and (status.reconciledAt == nil or status.reconciledAt < operation.finishedAt) then
    return progressing("Waiting for the Application to reconcile after its sync finished at " .. operation.finishedAt)
  end
end

if status.health.status == "Degraded" then
  return { status = "Degraded", message = status.health.message or "The Application is degraded" }
end

if operation ~= nil and (operation.phase == "Failed" or operation.phase == "Error") and status.sync.status ~= "Synced" then
  return { status = "Degraded", message = withDetail("Sync " .. operation.phase, operation.message) }
end

-- Not yet created, or not yet updated. An object only waiting to be pruned (requiresPruning, e.g.
-- one that waits for a person's Prune=confirm) holds no wave: everything git holds is applied.
local pending = {}
local pruning = 0
for _, r in ipairs(status.resources or {}) do
  if r.status == "OutOfSync" then
    if r.requiresPruning then
      pruning = pruning + 1
    else
      table.insert(pending, resourceName(r))
    end
  end
end
if #pending > 0 then
  local shown = {}
  for i, name in ipairs(pending) do
    if i > 3 then
      table.insert(shown, "and " .. (#pending - 3) .. " more")
      break
    end
    table.insert(shown, name)
  end
  return progressing("Waiting for " .. #pending .. " resource(s) to be created or synced: " .. table.concat(shown, ", "))
end

if status.sync.status ~= "Synced" and not (status.sync.status == "OutOfSync" and pruning > 0) then
  return progressing("Sync status " .. (status.sync.status or "unknown"))
end

local health = status.health.status
if health == nil or health == "Missing" or health == "Unknown" then
  return progressing(withDetail("Health " .. (health or "not reported"), status.health.message))
end
return { status = health, message = status.health.message or "" }
