// Start GOV.UK Frontend's components. Loaded as a module, so only browsers that
// GOV.UK Frontend supports run it; every page works without it.
import { initAll } from "../govuk-frontend/govuk-frontend.min.js";

initAll();
