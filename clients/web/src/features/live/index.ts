// What the app's route table uses of live sessions; the rest of the folder is its own.
export { LiveSessionsPage } from './LiveSessionsPage';
export { LiveSessionPage } from './LiveSessionPage';
export { LiveSessionFormPage } from './LiveSessionFormPage';
export { LiveReportPage } from './LiveReportPage';
