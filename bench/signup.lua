-- wrk script: every request signs up a new address (thread id + counter), as a stream of real visitors would.
local next_id = 1
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end

function init(args)
  n = 0
  run = os.time()
end

function request()
  n = n + 1
  local body = '{"email":"w' .. run .. '-' .. tid .. '-' .. n .. '@bench.example","source":"https://blog.example/b"}'
  return wrk.format("POST", "/api/subscriptions", { ["Content-Type"] = "application/json" }, body)
end
